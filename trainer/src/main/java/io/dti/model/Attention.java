package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head self-attention with an additive mask and a choice of position scheme:
 *
 * <pre>
 *   q, k, v = x Wq, x Wk, x Wv                       split into H heads of size d
 *   (RoPE)  s = rotate(q, pos_q) rotate(k, pos_k)^T   (ALiBi: s = q k^T - m_h (pos_q - pos_k))
 *   out = softmax(s / sqrt(d) + mask) v Wo
 * </pre>
 *
 * With RoPE or ALiBi and {@code bosDistance >= 0}, [BOS] keys sit at that fixed distance from
 * every query (their real distance grows along a DTI stream).
 *
 * <p>Banded mode ({@link Batch#blocks()} set) computes the same thing block by block: each
 * block of queries multiplies only the keys its window can reach ([BOS] plus one contiguous
 * range), so a DTI stream of (n + k) interactions costs about L (n + block) instead of L^2.
 * The dense path is the reference the tests compare it with.
 */
final class Attention {
  private Attention() {}

  static NDArray forward(Params p, String prefix, ModelConfig c, NDArray x, Batch batch) {
    Shape s = x.getShape();
    long b = s.get(0);
    long l = s.get(1);
    int h = c.heads();
    int d = c.headDim();
    NDArray q = heads(x.matMul(p.get(prefix + "wq")), b, l, h, d);
    NDArray k = heads(x.matMul(p.get(prefix + "wk")), b, l, h, d);
    NDArray v = heads(x.matMul(p.get(prefix + "wv")), b, l, h, d);
    NDArray out;
    if (batch.blocks() == null) {
      out = attend(c, q, k, v, batch.positions(), batch.positions(), batch.bosKeys(), batch.mask(),
          batch.interactions(), batch.interactions());
    } else {
      NDList parts = new NDList();
      for (Batch.Block blk : batch.blocks()) {
        String rows = blk.from() + ":" + blk.to();
        parts.add(attend(c, q.get(new NDIndex(":, :, " + rows)), keysOf(k, blk), keysOf(v, blk),
            batch.positions().get(new NDIndex(":, " + rows)), blk.keyPositions(), blk.keyBos(), blk.mask(),
            batch.interactions().get(new NDIndex(":, " + rows)), blk.keyInteractions()));
      }
      out = NDArrays.concat(parts, 2);
    }
    return out.transpose(0, 2, 1, 3).reshape(b, l, (long) h * d).matMul(p.get(prefix + "wo"));
  }

  /** softmax(scores / sqrt(d) + mask) v for queries (B, H, Lq, d) and keys (B, H, Lk, d). */
  static NDArray attend(ModelConfig c, NDArray q, NDArray k, NDArray v, NDArray posQ, NDArray posK,
      NDArray bosK, NDArray mask, NDArray interQ, NDArray interK) {
    boolean fixedBos = c.bosDistance() >= 0;
    NDArray scores;
    if (c.positions() == ModelConfig.Positions.ROPE) {
      scores = rope(q, posQ, c.ropeTheta()).matMul(rope(k, posK, c.ropeTheta()).transpose(0, 1, 3, 2));
      if (fixedBos) {
        // A RoPE score depends on pos_q - pos_k only: rotating q by the fixed distance and
        // leaving k unrotated puts [BOS] at that distance from every query.
        NDArray fixed = posQ.zerosLike().add(c.bosDistance());
        NDArray bosScores = rope(q, fixed, c.ropeTheta()).matMul(k.transpose(0, 1, 3, 2));
        scores = scores.add(bosScores.sub(scores).mul(bosK));
      }
    } else {
      scores = q.matMul(k.transpose(0, 1, 3, 2));
    }
    scores = scores.mul(CtrTransformer.constant(scores, 1.0 / Math.sqrt(q.getShape().get(3)))).add(mask);
    if (c.positions() == ModelConfig.Positions.ALIBI) {
      scores = scores.add(alibi(posQ, posK, c.heads(), fixedBos ? bosK : null, c.bosDistance()));
    }
    if (c.remedies().distanceDecay() > 0) {
      scores = scores.add(distanceDecay(interQ, interK, bosK, c.heads(), c.remedies().distanceDecay()));
    }
    return scores.softmax(-1).matMul(v);
  }

  /**
   * R2: (B, H, Lq, Lk) bias - decay * m_h * (I(q) - I(p)) on the interaction distance, zero for
   * [BOS] keys. Masked pairs get -1e9 anyway.
   */
  static NDArray distanceDecay(NDArray interQ, NDArray interK, NDArray bosK, int heads, double decay) {
    NDArray dist = interQ.expandDims(2).sub(interK.expandDims(1)).expandDims(1); // (B, 1, Lq, Lk)
    dist = dist.mul(bosK.neg().add(1f));
    NDArray slopes = interQ.getManager().create(alibiSlopes(heads)).reshape(1, heads, 1, 1).mul(decay);
    return dist.mul(slopes).neg();
  }

  /** The block's keys of x (B, H, L, d): its [BOS] tokens, then the range [start, to), as slices. */
  static NDArray keysOf(NDArray x, Batch.Block blk) {
    NDArray range = x.get(new NDIndex(":, :, " + blk.start() + ":" + blk.to()));
    if (blk.bos().length == 0) {
      return range;
    }
    NDList parts = new NDList();
    for (int p : blk.bos()) {
      parts.add(x.get(new NDIndex(":, :, " + p + ":" + (p + 1))));
    }
    parts.add(range);
    return NDArrays.concat(parts, 2);
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
    return NDArrays.concat(new NDList(x1.mul(cos).sub(x2.mul(sin)), x1.mul(sin).add(x2.mul(cos))), 3);
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
   * (B, H, Lq, Lk) bias: - m_h * (pos_q - pos_k); with {@code bosKeys}, [BOS] keys sit at
   * {@code bosDistance} from every query. Masked pairs get -1e9 anyway.
   */
  static NDArray alibi(NDArray posQ, NDArray posK, int heads, NDArray bosKeys, int bosDistance) {
    NDArray dist = posQ.toType(DataType.FLOAT32, false).expandDims(2)
        .sub(posK.toType(DataType.FLOAT32, false).expandDims(1)).expandDims(1); // (B, 1, Lq, Lk)
    if (bosKeys != null) {
      dist = dist.add(dist.neg().add(bosDistance).mul(bosKeys));
    }
    NDArray slopes = posQ.getManager().create(alibiSlopes(heads)).reshape(1, heads, 1, 1);
    return dist.mul(slopes).neg();
  }
}
