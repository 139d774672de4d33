package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dti.data.MaskRules;
import io.dti.data.PackedSample;
import java.util.List;

/**
 * Samples collated into tensors, padded to the longest in the batch.
 *
 * <ul>
 *   <li>{@code ids}, {@code positions}: (B, L) int64;</li>
 *   <li>{@code mask}: (B, 1, L, L) additive, 0 where {@link MaskRules} allows query row to read
 *       key column, -1e9 elsewhere; padding keys are never read, a padding query reads itself
 *       (so no softmax row is empty);</li>
 *   <li>{@code sumIndex}: (T) int64, flat index b * L + position of every target's [SUM];</li>
 *   <li>{@code labels}: (T) float;</li>
 *   <li>{@code bosKeys}: (B, 1, 1, L) float, 1 where the key is a [BOS] token.</li>
 * </ul>
 */
public record Batch(NDArray ids, NDArray positions, NDArray mask, NDArray sumIndex, NDArray labels,
    NDArray bosKeys, int size, int length, int targets, long tokens) {

  static final float BLOCKED = -1e9f;

  public static Batch of(NDManager manager, List<PackedSample> samples) {
    int b = samples.size();
    int l = samples.stream().mapToInt(PackedSample::numTokens).max().orElseThrow();
    int t = samples.stream().mapToInt(PackedSample::numTargets).sum();
    long[] ids = new long[b * l];
    long[] pos = new long[b * l];
    float[] mask = new float[b * l * l];
    long[] sums = new long[t];
    float[] labels = new float[t];
    float[] bos = new float[b * l];
    java.util.Arrays.fill(mask, BLOCKED);
    int ti = 0;
    long tokens = 0;
    for (int s = 0; s < b; s++) {
      PackedSample x = samples.get(s);
      int n = x.numTokens();
      tokens += n;
      for (int i = 0; i < n; i++) {
        ids[s * l + i] = x.inputIds()[i];
        pos[s * l + i] = x.positionIds()[i];
        bos[s * l + i] = x.roles()[i] == io.dti.data.TokenRole.BOS.code() ? 1f : 0f;
      }
      int base = s * l * l;
      for (int q = 0; q < l; q++) {
        if (q >= n) {
          mask[base + q * l + q] = 0f;
          continue;
        }
        for (int p = 0; p <= q; p++) {
          if (MaskRules.canAttend(x, q, p)) {
            mask[base + q * l + p] = 0f;
          }
        }
      }
      for (int j = 0; j < x.numTargets(); j++) {
        sums[ti] = (long) s * l + x.sumPositions()[j];
        labels[ti] = x.labels()[j];
        ti++;
      }
    }
    return new Batch(manager.create(ids, new Shape(b, l)), manager.create(pos, new Shape(b, l)),
        manager.create(mask, new Shape(b, 1, l, l)), manager.create(sums), manager.create(labels),
        manager.create(bos, new Shape(b, 1, 1, l)), b, l, t, tokens);
  }
}
