package io.dti.model;

/**
 * Light remedies for hidden-state leakage in DTI (docs: dti-method.md, bottleneck 1). From
 * layer 2 on, a context token has itself read n interactions further back, so a target's
 * receptive field grows to about layers x n interactions in a DTI stream, while its SW prompt
 * never shows more than n. Both remedies hold that growth back; both act the same way in SW
 * prompts, so training and serving see one model.
 *
 * <ul>
 *   <li>R1 state reset: after each layer, every non-[SUM] token's hidden state moves back toward
 *       its layer-0 embedding: {@code h = (1 - lambda_l) h + lambda_l h0}, with lambda_l =
 *       {@code resetLambda}, or {@code resetLambda (l + 1) / L} when it grows with depth.
 *       lambda = 0 is the identity; lambda = 1 returns the embedding.</li>
 *   <li>R2 distance decay: an attention penalty {@code - decay * m_h * (I(q) - I(p))} on the
 *       interaction distance (m_h the ALiBi slopes), so what lies far back fades.</li>
 * </ul>
 *
 * @param resetLambda R1 strength in [0, 1]; 0 = off
 * @param resetGrowsWithDepth R1 strength grows linearly with depth up to resetLambda
 * @param distanceDecay R2 strength; 0 = off
 */
public record Remedies(double resetLambda, boolean resetGrowsWithDepth, double distanceDecay) implements java.io.Serializable {
  public static final Remedies NONE = new Remedies(0, false, 0);

  public Remedies {
    if (resetLambda < 0 || resetLambda > 1) {
      throw new IllegalArgumentException("reset lambda must be in [0, 1], got " + resetLambda);
    }
    if (distanceDecay < 0) {
      throw new IllegalArgumentException("distance decay must be >= 0, got " + distanceDecay);
    }
  }

  /** R1 strength after layer {@code layer} (0-based) of {@code layers}. */
  public double lambda(int layer, int layers) {
    return resetGrowsWithDepth ? resetLambda * (layer + 1) / layers : resetLambda;
  }
}
