package io.dti.eval;

import java.util.Map;
import java.util.TreeMap;

/**
 * AUC and LogLoss over a stream of (probability, label). AUC is exact: scores are counted per
 * distinct value (memory grows with distinct scores, not rows), and a tie between a positive
 * and a negative counts one half, as in the Mann-Whitney statistic.
 */
public final class BinaryMetrics {
  private final TreeMap<Double, long[]> counts = new TreeMap<>();
  private long positives;
  private long negatives;
  private double logLossSum;
  private static final double EPS = 1e-7;

  public void add(double probability, int label) {
    if (label != 0 && label != 1) {
      throw new IllegalArgumentException("label must be 0 or 1, got " + label);
    }
    counts.computeIfAbsent(probability, k -> new long[2])[label]++;
    double p = Math.min(1 - EPS, Math.max(EPS, probability));
    logLossSum -= label == 1 ? Math.log(p) : Math.log(1 - p);
    if (label == 1) {
      positives++;
    } else {
      negatives++;
    }
  }

  public long count() {
    return positives + negatives;
  }

  /** Probability that a random positive scores above a random negative (ties: one half). NaN without both classes. */
  public double auc() {
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double wins = 0;
    long negativesBelow = 0;
    for (Map.Entry<Double, long[]> e : counts.entrySet()) {
      long neg = e.getValue()[0];
      long pos = e.getValue()[1];
      wins += pos * (negativesBelow + 0.5 * neg);
      negativesBelow += neg;
    }
    return wins / ((double) positives * negatives);
  }

  /** Mean binary cross-entropy, probabilities clipped to [1e-7, 1 - 1e-7]. */
  public double logLoss() {
    return count() == 0 ? Double.NaN : logLossSum / count();
  }
}
