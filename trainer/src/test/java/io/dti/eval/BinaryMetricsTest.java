package io.dti.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
  static BinaryMetrics of(double[] p, int[] y) {
    BinaryMetrics m = new BinaryMetrics();
    for (int i = 0; i < p.length; i++) {
      m.add(p[i], y[i]);
    }
    return m;
  }

  @Test
  void handComputedValuesWithTies() {
    // Pairs (pos, neg): (0.8,0.2) win, (0.8,0.4) win, (0.8,0.8) tie, (0.4,0.2) win, (0.4,0.4) tie, (0.4,0.8) loss
    // -> (3 + 2 * 0.5) / 6 = 0.6667
    BinaryMetrics m = of(new double[] {0.8, 0.4, 0.2, 0.4, 0.8}, new int[] {1, 1, 0, 0, 0});
    assertEquals(4.0 / 6.0, m.auc(), 1e-12);
    double ll = -(Math.log(0.8) + Math.log(0.4) + Math.log(0.8) + Math.log(0.6) + Math.log(0.2)) / 5;
    assertEquals(ll, m.logLoss(), 1e-12);
  }

  @Test
  void perfectReversedAndAllTied() {
    assertEquals(1.0, of(new double[] {0.9, 0.1}, new int[] {1, 0}).auc());
    assertEquals(0.0, of(new double[] {0.1, 0.9}, new int[] {1, 0}).auc());
    assertEquals(0.5, of(new double[] {0.5, 0.5, 0.5}, new int[] {1, 0, 1}).auc());
    assertTrue(Double.isNaN(of(new double[] {0.3}, new int[] {1}).auc()));
  }

  @Test
  void matchesBruteForcePairCount() {
    Random rng = new Random(1);
    int n = 2000;
    double[] p = new double[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = Math.round(rng.nextDouble() * 50) / 50.0; // many ties
      y[i] = rng.nextDouble() < p[i] ? 1 : 0;
    }
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (y[i] == 1 && y[j] == 0) {
          pairs++;
          wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
        }
      }
    }
    assertEquals(wins / pairs, of(p, y).auc(), 1e-12);
  }
}
