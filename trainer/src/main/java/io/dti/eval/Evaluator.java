package io.dti.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.dti.data.PackedSample;
import io.dti.model.Batch;
import io.dti.model.CtrTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scores samples with a model and reports AUC and LogLoss. Give it SW prompts to score as a
 * serving system would (one prompt per target), or DTI streams to score many targets per pass.
 */
public final class Evaluator {
  private Evaluator() {}

  public record Scored(String user, String item, long ts, int label, double probability) {}

  public static BinaryMetrics evaluate(CtrTransformer model, List<PackedSample> samples, int batchTargets,
      Consumer<Scored> perTarget) {
    BinaryMetrics metrics = new BinaryMetrics();
    List<PackedSample> batch = new ArrayList<>();
    int targets = 0;
    for (int i = 0; i <= samples.size(); i++) {
      boolean flush = i == samples.size() || targets >= batchTargets;
      if (flush && !batch.isEmpty()) {
        score(model, batch, metrics, perTarget);
        batch.clear();
        targets = 0;
      }
      if (i < samples.size()) {
        batch.add(samples.get(i));
        targets += samples.get(i).numTargets();
      }
    }
    return metrics;
  }

  private static void score(CtrTransformer model, List<PackedSample> batch, BinaryMetrics metrics, Consumer<Scored> sink) {
    try (NDManager scope = model.params().manager().newSubManager()) {
      float[] p = Activation.sigmoid(model.forward(Batch.of(scope, batch, model.config().attentionBlock()))).toFloatArray();
      int t = 0;
      for (PackedSample s : batch) {
        for (int j = 0; j < s.numTargets(); j++, t++) {
          metrics.add(p[t], s.labels()[j]);
          if (sink != null) {
            sink.accept(new Scored(s.targetUsers()[j], s.targetItems()[j], s.targetTs()[j], s.labels()[j], p[t]));
          }
        }
      }
    }
  }
}
