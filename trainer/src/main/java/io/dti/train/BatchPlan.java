package io.dti.train;

import io.dti.data.PackedSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The whole run's micro-batches, fixed up front from the seed: each epoch shuffles the
 * samples, then within windows of about 50 batches sorts by length (so a batch pads little)
 * and cuts batches of {@code batchTargets} targets, and shuffles the batches of the window.
 * A step is {@code accumulation} consecutive micro-batches, so "data position" is just the
 * step number, which makes resume exact.
 */
public final class BatchPlan {
  private final List<int[]> microBatches;
  private final int accumulation;

  public BatchPlan(List<PackedSample> samples, TrainConfig c) {
    this.accumulation = c.accumulation();
    List<int[]> out = new ArrayList<>();
    for (int epoch = 0; epoch < c.epochs(); epoch++) {
      Random rng = new Random(c.seed() * 1_000_003L + epoch);
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < samples.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, rng);
      long windowTargets = 50L * c.batchTargets();
      int i = 0;
      while (i < order.size()) {
        List<Integer> window = new ArrayList<>();
        long targets = 0;
        while (i < order.size() && targets < windowTargets) {
          window.add(order.get(i));
          targets += samples.get(order.get(i)).numTargets();
          i++;
        }
        window.sort(Comparator.comparingInt(s -> samples.get(s).numTokens()));
        List<int[]> batches = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        int curTargets = 0;
        for (int s : window) {
          cur.add(s);
          curTargets += samples.get(s).numTargets();
          if (curTargets >= c.batchTargets()) {
            batches.add(cur.stream().mapToInt(Integer::intValue).toArray());
            cur.clear();
            curTargets = 0;
          }
        }
        if (!cur.isEmpty()) {
          batches.add(cur.stream().mapToInt(Integer::intValue).toArray());
        }
        Collections.shuffle(batches, rng);
        out.addAll(batches);
      }
    }
    this.microBatches = out;
  }

  public int steps() {
    return (microBatches.size() + accumulation - 1) / accumulation;
  }

  /** The micro-batches of one optimizer step. */
  public List<int[]> step(int step) {
    int from = step * accumulation;
    return microBatches.subList(from, Math.min(microBatches.size(), from + accumulation));
  }
}
