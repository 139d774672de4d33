package io.dti.dist;

import java.io.IOException;

/**
 * What data-parallel training needs from its peers: an element-wise sum of one float vector
 * across all ranks, every rank ending with the same result. {@link #single()} is the world of
 * one (no communication); {@link RingAllReduce} runs over TCP between executors.
 */
public interface Collective extends AutoCloseable {
  int rank();

  int worldSize();

  /** Replaces {@code data} on every rank by the element-wise sum over ranks; blocks until done. */
  void allReduceSum(float[] data) throws IOException;

  /** Seconds spent in {@link #allReduceSum} so far (communication time, for the benchmark). */
  double seconds();

  @Override
  void close();

  /** A world of one: the sum is the input. */
  static Collective single() {
    return new Collective() {
      @Override public int rank() {
        return 0;
      }

      @Override public int worldSize() {
        return 1;
      }

      @Override public void allReduceSum(float[] data) {}

      @Override public double seconds() {
        return 0;
      }

      @Override public void close() {}
    };
  }
}
