package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dti.data.MaskRules;
import io.dti.data.PackedSample;
import io.dti.data.TokenRole;
import java.util.List;
import java.util.TreeSet;

/**
 * Samples collated into tensors, padded to the longest in the batch.
 *
 * <ul>
 *   <li>{@code ids}, {@code positions}: (B, L) int64;</li>
 *   <li>{@code mask}: (B, 1, L, L) additive, 0 where {@link MaskRules} allows query row to read
 *       key column, -1e9 elsewhere; padding keys are never read, a padding query reads itself
 *       (so no softmax row is empty); null in banded mode, where each block has its own;</li>
 *   <li>{@code sumIndex}: (T) int64, flat index b * L + position of every target's [SUM];</li>
 *   <li>{@code labels}: (T) float;</li>
 *   <li>{@code bosKeys}: (B, 1, 1, L) float, 1 where the key is a [BOS] token;</li>
 *   <li>{@code interactions}: (B, L) float, each token's interaction index (for R2);</li>
 *   <li>{@code contextTokens}: (B, L, 1) float, 1 for every non-[SUM] token (for R1);</li>
 *   <li>{@code blocks}: for banded attention, the query blocks and the keys each may reach
 *       (null for dense attention);</li>
 *   <li>{@code attentionEntries}: score entries the attention computes per head and layer.</li>
 * </ul>
 */
public record Batch(NDArray ids, NDArray positions, NDArray mask, NDArray sumIndex, NDArray labels,
    NDArray bosKeys, NDArray interactions, NDArray contextTokens, List<Block> blocks, int size, int length, int targets,
    long tokens, long attentionEntries) {

  static final float BLOCKED = -1e9f;

  /**
   * Queries [from, to) read only the keys {@code bos} ([BOS] tokens before the range) and
   * [start, to): plain slices, so the backward pass is a plain copy too. Built once per batch
   * and shared by all layers: the block's additive mask (B, 1, to - from, K), key positions
   * (B, K), [BOS] flags (B, 1, 1, K) and interaction indices (B, K), K = bos.length + to - start.
   */
  public record Block(int from, int to, int[] bos, int start, NDArray mask, NDArray keyPositions, NDArray keyBos,
      NDArray keyInteractions) {}

  /** Dense attention batch. */
  public static Batch of(NDManager manager, List<PackedSample> samples) {
    return of(manager, samples, 0);
  }

  /** With {@code blockSize > 0}, attention runs banded, {@code blockSize} queries at a time. */
  public static Batch of(NDManager manager, List<PackedSample> samples, int blockSize) {
    int b = samples.size();
    int l = samples.stream().mapToInt(PackedSample::numTokens).max().orElseThrow();
    int t = samples.stream().mapToInt(PackedSample::numTargets).sum();
    long[] ids = new long[b * l];
    long[] pos = new long[b * l];
    float[] mask = blockSize > 0 ? null : new float[b * l * l];
    if (mask != null) {
      java.util.Arrays.fill(mask, BLOCKED);
    }
    long[] sums = new long[t];
    float[] labels = new float[t];
    float[] bos = new float[b * l];
    float[] inter = new float[b * l];
    float[] context = new float[b * l];
    int ti = 0;
    long tokens = 0;
    for (int s = 0; s < b; s++) {
      PackedSample x = samples.get(s);
      int n = x.numTokens();
      tokens += n;
      for (int i = 0; i < n; i++) {
        ids[s * l + i] = x.inputIds()[i];
        pos[s * l + i] = x.positionIds()[i];
        bos[s * l + i] = x.roles()[i] == TokenRole.BOS.code() ? 1f : 0f;
        inter[s * l + i] = x.interactionIdx()[i];
        context[s * l + i] = x.roles()[i] == TokenRole.SUM.code() ? 0f : 1f;
      }
      if (mask != null) {
        int base = s * l * l;
        for (int q = 0; q < l; q++) {
          for (int p = 0; p <= q; p++) {
            if (allowed(x, q, p)) {
              mask[base + q * l + p] = 0f;
            }
          }
        }
      }
      for (int j = 0; j < x.numTargets(); j++) {
        sums[ti] = (long) s * l + x.sumPositions()[j];
        labels[ti] = x.labels()[j];
        ti++;
      }
    }
    List<Block> blocks = null;
    long entries = (long) b * l * l;
    if (blockSize > 0) {
      blocks = new java.util.ArrayList<>();
      entries = 0;
      int[][] low = new int[b][];
      for (int s = 0; s < b; s++) {
        low[s] = lowestKeys(samples.get(s));
      }
      for (int from = 0; from < l; from += blockSize) {
        int to = Math.min(l, from + blockSize);
        int start = from;
        for (int s = 0; s < b; s++) {
          for (int q = from; q < Math.min(to, samples.get(s).numTokens()); q++) {
            start = Math.min(start, low[s][q]);
          }
        }
        TreeSet<Integer> bosBefore = new TreeSet<>();
        for (int s = 0; s < b; s++) {
          PackedSample x = samples.get(s);
          for (int p = 0; p < Math.min(start, x.numTokens()); p++) {
            if (x.roles()[p] == TokenRole.BOS.code()) {
              bosBefore.add(p);
            }
          }
        }
        long[] keys = new long[bosBefore.size() + to - start];
        int i = 0;
        for (int p : bosBefore) {
          keys[i++] = p;
        }
        for (int p = start; p < to; p++) {
          keys[i++] = p;
        }
        int rows = to - from;
        int kc = keys.length;
        float[] bm = new float[b * rows * kc];
        long[] kp = new long[b * kc];
        float[] kb = new float[b * kc];
        float[] ki = new float[b * kc];
        for (int s = 0; s < b; s++) {
          PackedSample x = samples.get(s);
          for (int j = 0; j < kc; j++) {
            int p = (int) keys[j];
            kp[s * kc + j] = pos[s * l + p];
            kb[s * kc + j] = bos[s * l + p];
            ki[s * kc + j] = inter[s * l + p];
            for (int r = 0; r < rows; r++) {
              bm[(s * rows + r) * kc + j] = allowed(x, from + r, p) ? 0f : BLOCKED;
            }
          }
        }
        blocks.add(new Block(from, to, bosBefore.stream().mapToInt(Integer::intValue).toArray(), start,
            manager.create(bm, new Shape(b, 1, rows, kc)),
            manager.create(kp, new Shape(b, kc)), manager.create(kb, new Shape(b, 1, 1, kc)),
            manager.create(ki, new Shape(b, kc))));
        entries += (long) b * rows * kc;
      }
    }
    return new Batch(manager.create(ids, new Shape(b, l)), manager.create(pos, new Shape(b, l)),
        mask == null ? null : manager.create(mask, new Shape(b, 1, l, l)), manager.create(sums), manager.create(labels),
        manager.create(bos, new Shape(b, 1, 1, l)), manager.create(inter, new Shape(b, l)),
        manager.create(context, new Shape(b, l, 1)), blocks, b, l, t, tokens, entries);
  }

  /** Mask rules with padding: a padding query reads only itself, a padding key is never read. */
  private static boolean allowed(PackedSample x, int q, int p) {
    int n = x.numTokens();
    if (q >= n) {
      return p == q;
    }
    return p < n && MaskRules.canAttend(x, q, p);
  }

  /**
   * For each query token, the lowest non-[BOS] key it may read: the first token of its segment
   * whose interaction is within the window (tokens are in nondecreasing interaction order
   * within a segment, so one moving pointer finds them all).
   */
  static int[] lowestKeys(PackedSample x) {
    int n = x.numTokens();
    int[] low = new int[n];
    int lo = 0;
    for (int q = 0; q < n; q++) {
      if (q > 0 && x.segmentIds()[q] != x.segmentIds()[q - 1]) {
        lo = q;
      }
      if (x.roles()[q] == TokenRole.BOS.code()) {
        low[q] = q;
        continue;
      }
      while (lo < q && (x.roles()[lo] == TokenRole.BOS.code() || x.interactionIdx()[lo] < x.interactionIdx()[q] - x.window())) {
        lo++;
      }
      low[q] = lo;
    }
    return low;
  }
}
