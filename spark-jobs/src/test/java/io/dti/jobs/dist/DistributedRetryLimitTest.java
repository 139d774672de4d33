package io.dti.jobs.dist;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.jobs.Fixtures;
import io.dti.jobs.TestSpark;
import io.dti.jobs.common.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Barrier ranks as threads of local Spark: a rank that fails uses up dist.max-attempts, then a clear error. */
class DistributedRetryLimitTest {
  @TempDir Path dir;

  @Test
  void failsClearlyWhenAttemptsRunOut() {
    JobConfig conf = TestSpark.conf("generate.users=20", "generate.items=40", "generate.interactions=500",
        "pack.window=5", "pack.targets=5", "prepare.min-interactions-per-user=1",
        "model.dim=16", "model.layers=1", "model.heads=2", "model.mlp-hidden=32", "train.batch-targets=32",
        "dist.ranks=2", "dist.max-attempts=1", "dist.crash-at=0:1", "dist.timeout-seconds=20");
    String packed = Fixtures.pipeline(dir, conf);
    String out = dir.resolve("run").toString();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DistributedTrain.run(TestSpark.session(), conf,
        packed, dir.resolve("tokenizer/tokenizer.json").toString(), "dti", out));
    assertTrue(e.getMessage().contains("failed in all 1 attempts (dist.max-attempts)"), e.getMessage());
    // Spark reports whichever task failed last: rank 0 itself, or rank 1 naming rank 0 as the peer that left
    assertTrue(e.getMessage().contains("fault drill: rank 0 failed after step 1")
        || e.getMessage().contains("rank 0 (") && e.getMessage().contains("closed the connection"), e.getMessage());
    assertTrue(e.getMessage().contains("Checkpoints are in") && e.getMessage().contains(dir.resolve("run").toString()),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("run/eval.json")), "a failed run must not look finished");
  }
}
