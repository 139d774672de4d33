package io.dti.eval;

import ai.djl.ndarray.NDManager;
import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import io.dti.model.Batch;
import io.dti.model.CtrTransformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The train/serve skew of DTI made visible: each target of a DTI stream is scored in the
 * stream (as training sees it) and in its exact SW prompt (as serving sees it, cut out of the
 * stream by {@link SampleBuilder#promptOf}); the report gives |logit difference| by target
 * position j (mean and 95th percentile) and AUC / LogLoss each way. With one layer and a
 * relative position scheme the difference is zero up to float error; hidden-state leakage
 * makes it grow with depth and with j.
 */
public final class LeakageMeter {
  private LeakageMeter() {}

  public record Report(double[] meanAbs, double[] p95Abs, long[] count, double aucDti, double aucSw,
      double logLossDti, double logLossSw) {

    /** Mean |difference| at the last position that has at least one target. */
    public double lastMean() {
      for (int j = meanAbs.length - 1; j >= 0; j--) {
        if (count[j] > 0) {
          return meanAbs[j];
        }
      }
      return Double.NaN;
    }

    public double overallMean() {
      double s = 0;
      long n = 0;
      for (int j = 0; j < meanAbs.length; j++) {
        s += meanAbs[j] * count[j];
        n += count[j];
      }
      return n == 0 ? Double.NaN : s / n;
    }

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mean_abs_logit_diff_by_position", meanAbs);
      m.put("p95_abs_logit_diff_by_position", p95Abs);
      m.put("targets_by_position", count);
      m.put("mean_abs_logit_diff", overallMean());
      m.put("auc_dti_scored", aucDti);
      m.put("auc_sw_scored", aucSw);
      m.put("logloss_dti_scored", logLossDti);
      m.put("logloss_sw_scored", logLossSw);
      return m;
    }

    public String table() {
      StringBuilder b = new StringBuilder("| target position j | targets | mean abs logit diff | p95 |\n|---|---|---|---|\n");
      for (int j = 0; j < meanAbs.length; j++) {
        if (count[j] > 0) {
          b.append(String.format("| %d | %d | %.5f | %.5f |%n", j, count[j], meanAbs[j], p95Abs[j]));
        }
      }
      b.append(String.format("%nAUC scored in DTI streams %.4f, in SW prompts %.4f; LogLoss %.4f / %.4f%n",
          aucDti, aucSw, logLossDti, logLossSw));
      return b.toString();
    }
  }

  public static Report measure(CtrTransformer model, List<PackedSample> dti, int batchTargets) {
    int maxTargets = dti.stream().mapToInt(PackedSample::numTargets).max().orElse(0);
    List<List<Double>> diffs = new ArrayList<>();
    for (int j = 0; j < maxTargets; j++) {
      diffs.add(new ArrayList<>());
    }
    BinaryMetrics inStream = new BinaryMetrics();
    BinaryMetrics inPrompt = new BinaryMetrics();
    int block = model.config().attentionBlock();
    List<PackedSample> batch = new ArrayList<>();
    int targets = 0;
    for (int i = 0; i <= dti.size(); i++) {
      if ((i == dti.size() || targets >= batchTargets) && !batch.isEmpty()) {
        List<PackedSample> prompts = new ArrayList<>();
        for (PackedSample s : batch) {
          for (int j = 0; j < s.numTargets(); j++) {
            prompts.add(SampleBuilder.promptOf(s, j));
          }
        }
        try (NDManager scope = model.params().manager().newSubManager()) {
          float[] a = model.forward(Batch.of(scope, batch, block)).toFloatArray();
          float[] b = model.forward(Batch.of(scope, prompts, 0)).toFloatArray();
          int t = 0;
          for (PackedSample s : batch) {
            for (int j = 0; j < s.numTargets(); j++, t++) {
              diffs.get(j).add((double) Math.abs(a[t] - b[t]));
              inStream.add(sigmoid(a[t]), s.labels()[j]);
              inPrompt.add(sigmoid(b[t]), s.labels()[j]);
            }
          }
        }
        batch.clear();
        targets = 0;
      }
      if (i < dti.size()) {
        batch.add(dti.get(i));
        targets += dti.get(i).numTargets();
      }
    }
    double[] mean = new double[maxTargets];
    double[] p95 = new double[maxTargets];
    long[] count = new long[maxTargets];
    for (int j = 0; j < maxTargets; j++) {
      double[] d = diffs.get(j).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      count[j] = d.length;
      mean[j] = d.length == 0 ? Double.NaN : Arrays.stream(d).average().orElse(Double.NaN);
      p95[j] = d.length == 0 ? Double.NaN : d[Math.min(d.length - 1, (int) Math.ceil(0.95 * d.length) - 1)];
    }
    return new Report(mean, p95, count, inStream.auc(), inPrompt.auc(), inStream.logLoss(), inPrompt.logLoss());
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
