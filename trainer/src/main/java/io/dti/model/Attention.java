package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head self-attention with an additive mask and a choice of position scheme:
 *
 * <pre>
 *   q, k, v = x Wq, x Wk, x Wv                       split into H heads of size d
 *   (RoPE)  q, k = rotate(q, pos), rotate(k, pos)
 *   s = q k^T / sqrt(d) + mask                        (+ ALiBi: - m_h * (pos_q - pos_k))
 *   out = softmax(s) v Wo
 * </pre>
 */
final class Attention {
  private Attention() {}

  static NDArray forward(Params p, String prefix, ModelConfig c, NDArray x, Batch batch) {
    NDArray positions = batch.positions();
    Shape s = x.getShape();
    long b = s.get(0);
    long l = s.get(1);
    int h = c.heads();
    int d = c.headDim();
    NDArray q = heads(x.matMul(p.get(prefix + "wq")), b, l, h, d);
    NDArray k = heads(x.matMul(p.get(prefix + "wk")), b, l, h, d);
    NDArray v = heads(x.matMul(p.get(prefix + "wv")), b, l, h, d);
    boolean fixedBos = c.bosDistance() >= 0;
    NDArray scores;
    if (c.positions() == ModelConfig.Positions.ROPE) {
      scores = rope(q, positions, c.ropeTheta()).matMul(rope(k, positions, c.ropeTheta()).transpose(0, 1, 3, 2));
      if (fixedBos) {
        // A score under RoPE depends on pos_q - pos_k only: rotating q by the fixed distance
        // and leaving k unrotated puts [BOS] at that distance from every query.
        NDArray fixed = positions.zerosLike().add(c.bosDistance());
        NDArray bosScores = rope(q, fixed, c.ropeTheta()).matMul(k.transpose(0, 1, 3, 2));
        scores = scores.add(bosScores.sub(scores).mul(batch.bosKeys()));
      }
    } else {
      scores = q.matMul(k.transpose(0, 1, 3, 2));
    }
    scores = scores.mul(1.0 / Math.sqrt(d)).add(batch.mask());
    if (c.positions() == ModelConfig.Positions.ALIBI) {
      scores = scores.add(alibi(positions, h, fixedBos ? batch.bosKeys() : null, c.bosDistance()));
    }
    NDArray out = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, l, (long) h * d);
    return out.matMul(p.get(prefix + "wo"));
  }

  /** (B, L, H*d) to (B, H, L, d). */
  private static NDArray heads(NDArray x, long b, long l, int h, int d) {
    return x.reshape(b, l, h, d).transpose(0, 2, 1, 3);
  }

  /** Rotary embedding: pairs (x1, x2) of each head rotate by angle pos * theta^(-2i/d). */
  static NDArray rope(NDArray x, NDArray positions, double theta) {
    long d = x.getShape().get(3);
    long half = d / 2;
    float[] inv = new float[(int) half];
    for (int i = 0; i < half; i++) {
      inv[i] = (float) Math.pow(theta, -2.0 * i / d);
    }
    NDArray freq = x.getManager().create(inv);
    // (B, 1, L, 1) * (half) -> (B, 1, L, half)
    NDArray angle = positions.toType(DataType.FLOAT32, false).expandDims(1).expandDims(3).mul(freq);
    NDArray cos = angle.cos();
    NDArray sin = angle.sin();
    NDArray x1 = x.get(new NDIndex("..., :{}", half));
    NDArray x2 = x.get(new NDIndex("..., {}:", half));
    return NDArrays.concat(new ai.djl.ndarray.NDList(x1.mul(cos).sub(x2.mul(sin)), x1.mul(sin).add(x2.mul(cos))), 3);
  }

  /** ALiBi slopes: m_h = 2^(-8 (h + 1) / H), the geometric sequence of the ALiBi paper. */
  static float[] alibiSlopes(int heads) {
    float[] m = new float[heads];
    for (int i = 0; i < heads; i++) {
      m[i] = (float) Math.pow(2, -8.0 * (i + 1) / heads);
    }
    return m;
  }

  /**
   * (B, H, L, L) bias: - m_h * (pos_q - pos_k); with {@code bosKeys}, [BOS] keys sit at
   * {@code bosDistance} from every query. Masked pairs get -1e9 anyway.
   */
  static NDArray alibi(NDArray positions, int heads, NDArray bosKeys, int bosDistance) {
    NDArray pos = positions.toType(DataType.FLOAT32, false);
    NDArray dist = pos.expandDims(2).sub(pos.expandDims(1)).expandDims(1); // (B, 1, Lq, Lk)
    if (bosKeys != null) {
      dist = dist.add(dist.neg().add(bosDistance).mul(bosKeys));
    }
    NDArray slopes = positions.getManager().create(alibiSlopes(heads)).reshape(1, heads, 1, 1);
    return dist.mul(slopes).neg();
  }
}
