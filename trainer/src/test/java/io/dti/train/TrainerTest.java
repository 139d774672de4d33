package io.dti.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import io.dti.data.SampleBuilder.Interaction;
import io.dti.eval.BinaryMetrics;
import io.dti.eval.Evaluator;
import io.dti.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  /** Users whose next label copies the label of the previous interaction: learnable only from context. */
  static List<PackedSample> copyTask(int users, int length, int n, int k, long seed) {
    Random rng = new Random(seed);
    List<PackedSample> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      List<Interaction> h = new ArrayList<>();
      int label = rng.nextInt(2);
      for (int i = 0; i < length; i++) {
        int item = 6 + rng.nextInt(10);
        h.add(new Interaction("u" + u, "i" + item, i, i, label, new int[] {item}));
        label = rng.nextDouble() < 0.9 ? label : 1 - label;
      }
      for (int s = n; s + k <= length; s += k) {
        out.add(SampleBuilder.build("dti", "train", n, h.subList(s - n, s), h.subList(s, s + k)));
      }
    }
    return out;
  }

  static ModelConfig tiny() {
    return new ModelConfig(16, 32, 2, 4, 64, ModelConfig.Positions.ALIBI, 512, 10000.0, 0, 5L, 0);
  }

  static TrainConfig fast(int epochs) {
    return new TrainConfig(epochs, 16, 1, 3e-3, 0.1, 5, 0.0, 1.0, 3L, 0, 1000);
  }

  @Test
  void tinyModelOverfitsTinyBatch() throws Exception {
    List<PackedSample> data = copyTask(4, 12, 2, 5, 1);
    try (Trainer t = new Trainer(tiny(), fast(150))) {
      Trainer.Result r = t.fit(data, null, -1, s -> {});
      double first = r.losses().get(0)[1];
      assertTrue(first > 0.5, "initial loss " + first);
      assertTrue(r.lastLoss() < 0.05, "loss after overfitting " + r.lastLoss());
      BinaryMetrics m = Evaluator.evaluate(t.model(), data, 64, null);
      assertTrue(m.auc() > 0.99, "train AUC " + m.auc());
    }
  }

  @Test
  void resumeFromCheckpointEqualsUninterruptedRun() throws Exception {
    List<PackedSample> data = copyTask(30, 14, 3, 4, 2);
    TrainConfig c = fast(2).withCheckpointEvery(3);
    float[] straight;
    try (Trainer t = new Trainer(tiny(), c)) {
      Trainer.Result r = t.fit(data, dir.resolve("straight"), -1, s -> {});
      assertTrue(r.steps() > 6, "steps " + r.steps());
      straight = t.model().params().get("layer1.wo").toFloatArray();
    }
    Path run = dir.resolve("crashed");
    try (Trainer t = new Trainer(tiny(), c)) {
      t.fit(data, run, 4, s -> {}); // dies after 4 steps: the newest checkpoint is step 3
    }
    List<String> log = new ArrayList<>();
    float[] resumed;
    try (Trainer t = new Trainer(tiny(), c)) {
      t.fit(data, run, -1, log::add);
      resumed = t.model().params().get("layer1.wo").toFloatArray();
    }
    assertTrue(log.get(0).startsWith("resumed from step 3"), log.toString());
    assertArrayEquals(straight, resumed, 1e-6f);
    assertTrue(Files.exists(run.resolve("loss.png")));
    List<String> metrics = Files.readAllLines(dir.resolve("straight/metrics.jsonl"));
    Map<?, ?> last = Trainer.GSON.fromJson(metrics.get(metrics.size() - 1), Map.class);
    assertEquals((double) metrics.size(), ((Number) last.get("step")).doubleValue());
  }
}
