package io.dti.train;

import io.dti.eval.LineChart;
import java.io.IOException;
import java.util.List;

/** The training loss by step as a PNG: raw per-step loss and a moving average over ~2% of the run. */
public final class LossCurve {
  private LossCurve() {}

  public static void write(java.io.OutputStream png, String title, List<double[]> points) throws IOException {
    int n = points.size();
    int window = Math.max(1, n / 50);
    double[] x = new double[n];
    double[] raw = new double[n];
    double[] smooth = new double[n];
    double acc = 0;
    for (int i = 0; i < n; i++) {
      x[i] = points.get(i)[0];
      raw[i] = points.get(i)[1];
      acc += raw[i];
      if (i >= window) {
        acc -= raw[i - window];
      }
      smooth[i] = acc / Math.min(i + 1, window);
    }
    new LineChart(title, "step", "loss")
        .add(new LineChart.Series("per step", x, raw))
        .add(new LineChart.Series("mean of " + window + " steps", x, smooth))
        .write(png);
  }
}
