package io.dti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.jobs.Fixtures;
import io.dti.jobs.TestSpark;
import io.dti.jobs.common.JobConfig;
import io.dti.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract end to end: Spark writes samples, the trainer reads them, trains, and scores SW prompts. */
class TrainPipelineTest {
  @TempDir Path dir;

  @Test
  void packTrainEvaluate() throws Exception {
    JobConfig conf = TestSpark.conf("generate.users=30", "generate.items=50", "generate.interactions=900",
        "pack.window=5", "pack.targets=5", "prepare.min-interactions-per-user=1",
        "model.dim=16", "model.layers=1", "model.heads=2", "model.mlp-hidden=32", "model.attention-block=8",
        "train.batch-targets=32", "train.warmup-steps=2", "train.checkpoint-every=5");
    String packed = Fixtures.pipeline(dir, conf);
    String tokenizer = dir.resolve("tokenizer/tokenizer.json").toString();
    List<String> log = new ArrayList<>();
    Map<String, Object> r = TrainJob.train(packed, tokenizer, "dti", TrainSettings.model(conf), TrainSettings.train(conf),
        dir.resolve("run").toString(), 64, log::add);
    double auc = (Double) r.get("test_auc");
    assertTrue(auc > 0 && auc < 1, "AUC " + auc);
    assertTrue(Files.exists(dir.resolve("run/eval.json")));
    assertTrue(Files.exists(dir.resolve("run/loss.png")));
    assertTrue(Files.readAllLines(dir.resolve("run/metrics.jsonl")).size() == ((Number) r.get("steps")).intValue());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("step ")), log.toString());

    Map<String, Object> again = TrainJob.evaluate(packed, tokenizer, dir.resolve("run").toString(), "sw", "test", 64,
        dir.resolve("scores.csv"));
    assertEquals(auc, (Double) again.get("auc"), 1e-9, "evaluate reproduces the train run's test AUC");
    assertEquals(((Number) r.get("test_targets")).longValue() + 1, Files.readAllLines(dir.resolve("scores.csv")).size());
  }
}
