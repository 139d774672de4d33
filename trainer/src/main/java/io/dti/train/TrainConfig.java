package io.dti.train;

/**
 * Optimisation settings.
 *
 * @param epochs passes over the training samples
 * @param batchTargets targets per micro-batch (samples are added until this many targets): the
 *     same number for SW and DTI, so both see the same targets per update
 * @param accumulation micro-batches per optimizer step (gradient accumulation)
 * @param learningRate peak learning rate
 * @param minLearningRateRatio floor of the cosine decay, as a fraction of the peak
 * @param warmupSteps linear warm-up steps
 * @param weightDecay decoupled (AdamW) decay on matrices; norms and biases are not decayed
 * @param clipNorm global gradient-norm clip (0 = off)
 * @param seed data order seed
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param logEvery steps between progress lines
 */
public record TrainConfig(int epochs, int batchTargets, int accumulation, double learningRate,
    double minLearningRateRatio, int warmupSteps, double weightDecay, double clipNorm, long seed,
    int checkpointEvery, int logEvery) implements java.io.Serializable {

  public static TrainConfig defaults() {
    return new TrainConfig(1, 64, 1, 1e-3, 0.1, 20, 0.01, 1.0, 7L, 0, 10);
  }

  public TrainConfig withCheckpointEvery(int every) {
    return new TrainConfig(epochs, batchTargets, accumulation, learningRate, minLearningRateRatio, warmupSteps,
        weightDecay, clipNorm, seed, every, logEvery);
  }

  public TrainConfig withBatchTargets(int targets) {
    return new TrainConfig(epochs, targets, accumulation, learningRate, minLearningRateRatio, warmupSteps,
        weightDecay, clipNorm, seed, checkpointEvery, logEvery);
  }

  public TrainConfig withSeed(long newSeed) {
    return new TrainConfig(epochs, batchTargets, accumulation, learningRate, minLearningRateRatio, warmupSteps,
        weightDecay, clipNorm, newSeed, checkpointEvery, logEvery);
  }

  /** Warm-up then cosine decay to {@code minLearningRateRatio} of the peak at the last step. */
  public double learningRate(long step, long totalSteps) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    double progress = totalSteps <= warmupSteps ? 1.0 : (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
    return learningRate * (minLearningRateRatio + (1 - minLearningRateRatio) * cosine);
  }
}
