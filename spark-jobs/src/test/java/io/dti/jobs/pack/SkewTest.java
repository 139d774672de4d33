package io.dti.jobs.pack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.jobs.TestSpark;
import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.prepare.Canonical;
import io.dti.jobs.tokenize.TokenizerJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One user with 100k interactions must not become one task anywhere in pack. */
class SkewTest {
  static final int POWER = 100_000;
  @TempDir Path dir;
  final SparkSession spark = TestSpark.session();

  /** Per stage: total shuffle records read, and the most any one task read. */
  static final class ShuffleReads extends SparkListener {
    final Map<Integer, long[]> byStage = new ConcurrentHashMap<>();

    @Override public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.taskMetrics() == null) {
        return;
      }
      long read = e.taskMetrics().shuffleReadMetrics().recordsRead();
      byStage.compute(e.stageId(), (k, v) -> {
        long[] t = v == null ? new long[2] : v;
        t[0] += read;
        t[1] = Math.max(t[1], read);
        return t;
      });
    }
  }

  @Test
  void powerUserPacksWithoutOneHugeTask() throws Exception {
    String prepared = dir.resolve("prepared").toString();
    Dataset<Row> power = spark.range(POWER).select(lit("power").as(Canonical.USER_ID),
        concat(lit("i"), col("id").mod(50)).as(Canonical.ITEM_ID), col("id").plus(1000).as(Canonical.TIMESTAMP),
        lit(4.0).as(Canonical.RATING), col("id").mod(2).cast("int").as(Canonical.LABEL), lit("train").as(Canonical.SPLIT));
    Dataset<Row> others = spark.range(3000).select(concat(lit("u"), col("id").mod(100)).as(Canonical.USER_ID),
        concat(lit("i"), col("id").mod(50)).as(Canonical.ITEM_ID), col("id").as(Canonical.TIMESTAMP),
        lit(2.0).as(Canonical.RATING), lit(0).as(Canonical.LABEL), lit("train").as(Canonical.SPLIT));
    power.union(others).write().parquet(prepared + "/" + Canonical.INTERACTIONS);
    Files.writeString(Path.of(prepared, CommittedOutput.MARKER), "{}");
    String tokenizer = dir.resolve("tok").toString();
    spark.range(50).select(concat(lit("i"), col("id")).as(Canonical.ITEM_ID), lit("item").as(TokenizerJob.TEXT),
            functions.array(col("id").plus(6).cast("int"), lit(7)).as(TokenizerJob.TOKEN_IDS), lit(2).as(TokenizerJob.FULL_LENGTH))
        .write().parquet(tokenizer + "/" + TokenizerJob.ITEM_TOKENS);
    Files.writeString(Path.of(tokenizer, CommittedOutput.MARKER), "{}");

    ShuffleReads reads = new ShuffleReads();
    spark.sparkContext().addSparkListener(reads);
    try {
      PackJob.run(spark, TestSpark.conf("pack.splits=[train]"), prepared, tokenizer, dir.resolve("packed").toString(), true);
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(reads);
    }
    assertEquals(POWER, spark.read().parquet(dir.resolve("packed/sw/train").toString()).filter("user_id = 'power'").count());
    int heavyStages = 0;
    for (var e : reads.byStage.entrySet()) {
      long total = e.getValue()[0];
      long max = e.getValue()[1];
      if (total >= POWER / 2) {
        heavyStages++;
        assertTrue(max <= total / 2, "stage " + e.getKey() + ": one task read " + max + " of " + total + " shuffled records");
      }
    }
    assertTrue(heavyStages >= 2, "expected the numbering and chunking shuffles, saw " + reads.byStage.size() + " stages");
  }
}
