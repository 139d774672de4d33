package io.dti.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The machine's float32 matrix-multiply rate through DJL: the denominator of model FLOPs utilisation. */
public final class MatmulPeak {
  private MatmulPeak() {}

  /** Best GFLOP/s over a few timed n x n products (after a warm-up). */
  public static double gflops(int n, int repeats) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      a.matMul(b).close();
      double best = 0;
      for (int r = 0; r < repeats; r++) {
        long t = System.nanoTime();
        NDArray c = a.matMul(b);
        c.getFloat(0, 0); // forces the computation
        double s = (System.nanoTime() - t) / 1e9;
        c.close();
        best = Math.max(best, 2.0 * n * n * n / s / 1e9);
      }
      return best;
    }
  }
}
