package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.ndarray.types.SparseFormat;
import java.util.Random;

/**
 * A decoder-only transformer in the style of Llama, with a CTR head on the [SUM] tokens:
 *
 * <pre>
 *   x = E[ids]                                   (+ P[pos] for learned absolute positions)
 *   for each layer:  x = x + Attention(RMSNorm(x))
 *                    x = x + SwiGLU(RMSNorm(x))
 *   h = RMSNorm(x)[sum positions]
 *   logit = h w + b                              one logit per target; loss: binary cross-entropy
 * </pre>
 *
 * Parameters live in {@link Params}; forward is a plain function of them, so the same code
 * trains, evaluates and is checked against hand-built references.
 */
public final class CtrTransformer implements AutoCloseable {
  private final ModelConfig config;
  private final Params params;

  public CtrTransformer(NDManager manager, ModelConfig c) {
    this.config = c;
    this.params = new Params(manager);
    Random rng = new Random(c.seed());
    double std = 0.02;
    // Residual projections are scaled down with depth (GPT-2), so deep stacks start stable.
    double residualStd = std / Math.sqrt(2.0 * c.layers());
    params.create("tok_emb", rng, std, false, c.vocabSize(), c.dim());
    if (c.positions() == ModelConfig.Positions.LEARNED) {
      params.create("pos_emb", rng, std, false, c.maxPositions(), c.dim());
    }
    for (int l = 0; l < c.layers(); l++) {
      String p = "layer" + l + ".";
      params.create(p + "attn_norm", rng, 1.0, true, c.dim());
      params.create(p + "wq", rng, std, false, c.dim(), c.dim());
      params.create(p + "wk", rng, std, false, c.dim(), c.dim());
      params.create(p + "wv", rng, std, false, c.dim(), c.dim());
      params.create(p + "wo", rng, residualStd, false, c.dim(), c.dim());
      params.create(p + "mlp_norm", rng, 1.0, true, c.dim());
      params.create(p + "w_gate", rng, std, false, c.dim(), c.mlpHidden());
      params.create(p + "w_up", rng, std, false, c.dim(), c.mlpHidden());
      params.create(p + "w_down", rng, residualStd, false, c.mlpHidden(), c.dim());
    }
    params.create("final_norm", rng, 1.0, true, c.dim());
    params.create("head_w", rng, std, false, c.dim(), 1);
    params.create("head_b", rng, 0.0, true, 1);
  }

  public ModelConfig config() {
    return config;
  }

  public Params params() {
    return params;
  }

  /** One logit per target of the batch, shape (T). */
  public NDArray forward(Batch batch) {
    NDArray x = Embedding.embedding(batch.ids(), params.get("tok_emb"), SparseFormat.DENSE).singletonOrThrow();
    if (config.positions() == ModelConfig.Positions.LEARNED) {
      x = x.add(Embedding.embedding(batch.positions(), params.get("pos_emb"), SparseFormat.DENSE).singletonOrThrow());
    }
    NDArray h0 = x;
    for (int l = 0; l < config.layers(); l++) {
      String p = "layer" + l + ".";
      x = x.add(Attention.forward(params, p, config, rmsNorm(x, params.get(p + "attn_norm")), batch));
      x = x.add(swiGlu(rmsNorm(x, params.get(p + "mlp_norm")), params.get(p + "w_gate"), params.get(p + "w_up"),
          params.get(p + "w_down")));
      double lambda = config.remedies().lambda(l, config.layers());
      if (lambda > 0) {
        x = stateReset(x, h0, batch.contextTokens(), lambda);
      }
    }
    x = rmsNorm(x, params.get("final_norm"));
    NDArray h = x.reshape(-1, config.dim()).get(batch.sumIndex());
    return h.matMul(params.get("head_w")).reshape(-1).add(params.get("head_b"));
  }

  /** R1: h = (1 - lambda) h + lambda h0 on context (non-[SUM]) tokens; [SUM] tokens keep their state. */
  static NDArray stateReset(NDArray h, NDArray h0, NDArray contextTokens, double lambda) {
    return h.add(h0.sub(h).mul(contextTokens).mul(constant(h, lambda)));
  }

  /**
   * A scalar as a tensor in {@code like}'s manager. Use it, never {@code mul(Number)} and kin, in
   * anything the backward pass goes through: DJL builds those scalars on a buffer it frees right
   * after the op, while autograd may keep the scalar for backward and later read freed memory.
   */
  public static NDArray constant(NDArray like, double value) {
    return like.getManager().create((float) value);
  }

  /** RMSNorm: x / sqrt(mean(x^2) + eps) * g. */
  static NDArray rmsNorm(NDArray x, NDArray gain) {
    NDArray rms = x.square().mean(new int[] {-1}, true).add(1e-6f).sqrt();
    return x.div(rms).mul(gain);
  }

  /** SwiGLU MLP: (silu(x Wg) * (x Wu)) Wd, with silu(z) = z sigmoid(z). */
  static NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
    NDArray g = x.matMul(gate);
    return g.mul(Activation.sigmoid(g)).mul(x.matMul(up)).matMul(down);
  }

  /** Binary cross-entropy per target, from logits, in the stable form max(z,0) - z y + log(1 + e^-|z|). */
  public static NDArray bceWithLogits(NDArray logits, NDArray labels) {
    return logits.maximum(logits.zerosLike()).sub(logits.mul(labels)).add(logits.abs().neg().exp().add(1f).log());
  }

  @Override
  public void close() {
    params.close();
  }
}
