package io.dti.jobs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.jobs.Fixtures;
import io.dti.jobs.StandaloneCluster;
import io.dti.jobs.TestSpark;
import io.dti.jobs.common.JobConfig;
import io.dti.model.ModelConfig;
import io.dti.train.RunDir;
import io.dti.train.TrainConfig;
import io.dti.train.TrainJob;
import io.dti.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The barrier-stage trainer on a standalone cluster started here: a Master and two Workers,
 * executors in their own JVMs. Gradient aggregation is right when 2 ranks x 1 replica, 1 rank x
 * 2 replicas and 1 rank x 1 replica reach the same weights on the same global batches; a lost
 * executor costs a stage retry that resumes from the checkpoint and ends at the same weights.
 */
class DistributedTrainTest {
  @TempDir static Path dir;
  static String packed;
  static String tokenizerJson;
  static StandaloneCluster cluster;
  static SparkSession spark;
  static JobConfig base;

  @BeforeAll
  static void setUp() {
    base = TestSpark.conf("generate.users=40", "generate.items=60", "generate.interactions=1400",
        "pack.window=5", "pack.targets=5", "prepare.min-interactions-per-user=1",
        "model.dim=16", "model.layers=2", "model.heads=2", "model.mlp-hidden=32",
        "train.batch-targets=40", "train.warmup-steps=2", "train.checkpoint-every=2", "train.log-every=1",
        "dist.data-shards=2", "dist.timeout-seconds=30", "dist.bucket-mib=1");
    packed = Fixtures.pipeline(dir, base);
    tokenizerJson = dir.resolve("tokenizer/tokenizer.json").toString();
    TestSpark.stop(); // one SparkContext per JVM: the cluster session replaces the local one
    cluster = new StandaloneCluster(2, 1, 1536, dir.resolve("cluster"));
    spark = cluster.session("dti-dist-test");
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
      SparkSession.clearActiveSession();
      SparkSession.clearDefaultSession();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, Object> train(String name, String... settings) throws Exception {
    return DistributedTrain.run(spark, base.with(settings), packed, tokenizerJson, "dti", dir.resolve(name).toString());
  }

  static Map<String, float[]> weights(String name) throws Exception {
    String run = dir.resolve(name).toString();
    ModelConfig mc = TrainJob.modelConfig(run);
    try (Trainer t = new Trainer(mc, TrainConfig.defaults())) {
      t.loadWeights(run);
      Map<String, float[]> out = new LinkedHashMap<>();
      t.model().params().all().forEach((k, v) -> out.put(k, v.toFloatArray()));
      return out;
    }
  }

  static double largestDifference(Map<String, float[]> a, Map<String, float[]> b) {
    double worst = 0;
    for (var e : a.entrySet()) {
      float[] x = e.getValue();
      float[] y = b.get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
    }
    return worst;
  }

  @Test
  @SuppressWarnings("unchecked")
  void splitsAgreeAndALostExecutorResumesToTheSameWeights() throws Exception {
    Map<String, Object> twoRanks = train("ranks2", "dist.ranks=2", "dist.replicas-per-rank=1");
    List<Map<String, Object>> perRank = (List<Map<String, Object>>) twoRanks.get("per_rank");
    assertEquals(2, perRank.size());
    long driverPid = ProcessHandle.current().pid();
    long pid0 = ((Number) perRank.get(0).get("pid")).longValue();
    long pid1 = ((Number) perRank.get(1).get("pid")).longValue();
    assertNotEquals(pid0, pid1, "each rank runs in its own executor JVM");
    assertNotEquals(driverPid, pid0);
    assertNotEquals(driverPid, pid1);
    int steps = ((Number) twoRanks.get("steps")).intValue();
    assertTrue(steps >= 6, "steps " + steps);
    double auc = ((Number) twoRanks.get("test_auc")).doubleValue();
    assertTrue(auc > 0 && auc < 1, "AUC " + auc);

    Map<String, Object> replicas = train("replicas2", "dist.ranks=1", "dist.replicas-per-rank=2");
    Map<String, Object> single = train("single", "dist.ranks=1", "dist.replicas-per-rank=1");
    assertEquals(steps, ((Number) replicas.get("steps")).intValue());
    assertEquals(steps, ((Number) single.get("steps")).intValue());
    Map<String, float[]> w2 = weights("ranks2");
    assertTrue(largestDifference(w2, weights("replicas2")) < 2e-5, "1 rank x 2 replicas vs 2 ranks");
    assertTrue(largestDifference(w2, weights("single")) < 2e-5, "1 rank x 1 replica vs 2 ranks");

    // rank 1's executor JVM halts after step 3; the stage is run again and resumes from step 2
    Map<String, Object> crashed = train("crashed", "dist.ranks=2", "dist.replicas-per-rank=1", "dist.crash-at=1:3");
    assertEquals(2, ((Number) crashed.get("attempts")).intValue(), "one failed attempt, then a resumed one");
    assertTrue(Files.exists(dir.resolve("crashed").resolve(RankTask.CRASH_MARKER)));
    assertEquals(steps - 2, ((Number) crashed.get("steps")).intValue(), "the second attempt ran the steps after checkpoint 2");
    assertTrue(largestDifference(w2, weights("crashed")) < 2e-5, "resumed run vs uninterrupted run");
    RunDir out = new RunDir(dir.resolve("crashed").toString(), new Configuration());
    assertEquals(steps, out.lines("metrics.jsonl").size(), "one metrics line per step across both attempts");
  }
}
