package io.dti.jobs.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.data.MaskRules;
import io.dti.data.PackedSample;
import io.dti.data.SampleSchema;
import io.dti.data.TokenRole;
import io.dti.jobs.Fixtures;
import io.dti.jobs.TestSpark;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackJobTest {
  static final int N = 5;
  static final int K = 4;
  @TempDir static Path dir;
  final SparkSession spark = TestSpark.session();
  String packed;

  JobConfig conf() {
    return TestSpark.conf("generate.users=40", "generate.items=60", "generate.interactions=1200",
        "pack.window=" + N, "pack.targets=" + K, "prepare.min-interactions-per-user=1");
  }

  @BeforeAll
  void pipeline() {
    packed = Fixtures.pipeline(dir.resolve("a"), conf());
  }

  List<PackedSample> read(String root, String paradigm, String split) {
    return spark.read().parquet(root + "/" + paradigm + "/" + split).collectAsList().stream()
        .map(SampleRows::fromRow).toList();
  }

  /**
   * The packing property: for every DTI target, what its [SUM] may read under the windowed
   * mask is exactly the matching SW prompt (same tokens, context labels included, same
   * relative positions apart from [BOS]), and never its own label.
   */
  @Test
  void everyDtiTargetSeesExactlyItsSwPrompt() {
    int checked = 0;
    for (String split : List.of("train", "valid", "test")) {
      Map<String, PackedSample> sw = new HashMap<>();
      for (PackedSample s : read(packed, "sw", split)) {
        assertEquals(1, s.numTargets());
        sw.put(s.targetUsers()[0] + "/" + s.targetSeqs()[0], s);
      }
      List<PackedSample> dti = read(packed, "dti", split);
      long dtiTargets = 0;
      for (PackedSample d : dti) {
        d.validate(Integer.MAX_VALUE);
        assertTrue(d.numTargets() <= K);
        for (int j = 0; j < d.numTargets(); j++) {
          PackedSample prompt = sw.get(d.targetUsers()[j] + "/" + d.targetSeqs()[j]);
          assertTrue(prompt != null, "no SW prompt for DTI target " + d.targetUsers()[j] + "/" + d.targetSeqs()[j]);
          int sum = d.sumPositions()[j];
          int[] keys = MaskRules.visibleKeys(d, sum);
          int[] ids = java.util.Arrays.stream(keys).map(p -> d.inputIds()[p]).toArray();
          assertArrayEquals(prompt.inputIds(), ids, "tokens seen by target " + j);
          int[] roles = java.util.Arrays.stream(keys).map(p -> d.roles()[p]).toArray();
          assertArrayEquals(prompt.roles(), roles);
          for (int i = 1; i < keys.length; i++) {
            assertEquals(prompt.positionIds()[prompt.numTokens() - 1] - prompt.positionIds()[i],
                d.positionIds()[sum] - d.positionIds()[keys[i]]);
          }
          for (int p : keys) {
            assertFalse(d.roles()[p] == TokenRole.LABEL.code() && d.interactionIdx()[p] == d.interactionIdx()[sum],
                "own label visible");
          }
          assertEquals(prompt.labels()[0], d.labels()[j]);
          checked++;
        }
        dtiTargets += d.numTargets();
      }
      assertEquals(sw.size(), dtiTargets, "every SW target is a DTI target once, split " + split);
    }
    assertTrue(checked > 1000, "checked " + checked);
  }

  @Test
  void swPromptsHoldTheWindowBeforeTheTarget() {
    for (PackedSample s : read(packed, "sw", "train")) {
      int contextInteractions = s.interactionIdx()[s.numTokens() - 1];
      assertEquals(Math.min(N, s.targetSeqs()[0]), contextInteractions);
      assertEquals(SampleSchema.PARADIGM_SW, s.paradigm());
    }
  }

  @Test
  void summaryShowsDtiCheaperPerTarget() throws Exception {
    var summary = Json.mapper().readTree(Files.readString(Path.of(packed, "summary.json")));
    double ratio = summary.get("cost").get("token_ratio_sw_over_dti").asDouble();
    double expected = (double) K * N / (N + K);
    assertTrue(ratio > 0.7 * expected && ratio < 1.5 * expected, "token ratio " + ratio + " vs kn/(n+k) = " + expected);
    assertTrue(Files.exists(Path.of(packed, "_DTI_SUCCESS")));
  }

  @Test
  void sameInputAndSeedGiveIdenticalRows() {
    String again = Fixtures.pipeline(dir.resolve("b"), conf().with("spark.shuffle-partitions=3"));
    for (String p : List.of("sw", "dti")) {
      for (String split : List.of("train", "test")) {
        var a = spark.read().parquet(packed + "/" + p + "/" + split);
        var b = spark.read().parquet(again + "/" + p + "/" + split);
        assertEquals(a.count(), b.count());
        assertEquals(0, a.exceptAll(b).count(), p + "/" + split + " differs between runs");
      }
    }
  }

  static List<Path> parquetFiles(Path dir) throws Exception {
    try (var list = Files.list(dir)) {
      return list.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  @Test
  void sameConfigGivesIdenticalFilesRowForRow() throws Exception {
    Path a = dir.resolve("a");
    String again = dir.resolve("a-again").toString();
    PackJob.run(spark, conf().with("prepare.format=movielens-csv"), a.resolve("prepared").toString(),
        a.resolve("tokenizer").toString(), again, true);
    for (String sub : List.of("sw/train", "dti/train", "dti/test")) {
      List<Path> files = parquetFiles(Path.of(packed, sub));
      List<Path> others = parquetFiles(Path.of(again, sub));
      assertTrue(!files.isEmpty());
      assertEquals(files.size(), others.size());
      for (int fi = 0; fi < files.size(); fi++) {
        Path f = files.get(fi);
        Path g = others.get(fi);
        // part-NNNNN-<job uuid>: the same task number must hold the same rows
        assertEquals(f.getFileName().toString().substring(0, 10), g.getFileName().toString().substring(0, 10));
        List<PackedSample> x = spark.read().parquet(f.toString()).collectAsList().stream().map(SampleRows::fromRow).toList();
        List<PackedSample> y = spark.read().parquet(g.toString()).collectAsList().stream().map(SampleRows::fromRow).toList();
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
          assertArrayEquals(x.get(i).inputIds(), y.get(i).inputIds(), f + " row " + i);
          assertArrayEquals(x.get(i).targetSeqs(), y.get(i).targetSeqs(), f + " row " + i);
        }
      }
    }
  }

  @Test
  void multiUserPackingKeepsSegmentsApart() {
    String multi = Fixtures.pipeline(dir.resolve("c"), conf().with("pack.multi-user=true", "pack.token-budget=400",
        "pack.write-sw=false"));
    List<PackedSample> rows = read(multi, "dti", "train");
    List<PackedSample> single = read(packed, "dti", "train");
    assertTrue(rows.size() < single.size(), rows.size() + " packed rows vs " + single.size());
    long targets = rows.stream().mapToLong(PackedSample::numTargets).sum();
    assertEquals(single.stream().mapToLong(PackedSample::numTargets).sum(), targets);
    boolean sawMany = false;
    for (PackedSample s : rows) {
      assertTrue(s.numTokens() <= 400 || s.segmentIds()[s.numTokens() - 1] == 0);
      sawMany |= s.segmentIds()[s.numTokens() - 1] > 0;
      for (int j = 0; j < s.numTargets(); j++) {
        int sum = s.sumPositions()[j];
        for (int p : MaskRules.visibleKeys(s, sum)) {
          assertEquals(s.segmentIds()[sum], s.segmentIds()[p]);
        }
      }
    }
    assertTrue(sawMany, "no row holds more than one segment");
  }
}
