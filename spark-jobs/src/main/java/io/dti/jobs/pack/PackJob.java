package io.dti.jobs.pack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;

import io.dti.data.SampleSchema;
import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.common.Progress;
import io.dti.jobs.prepare.Canonical;
import io.dti.jobs.tokenize.TokenizerJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * pack: user histories to SW prompts and DTI streams, both in the sample schema
 * ({@link SampleSchema}), under {@code <output>/sw/<split>} and {@code <output>/dti/<split>}.
 *
 * <ol>
 *   <li>number each user's interactions in time order ({@link Sequencer}, skew-safe);</li>
 *   <li>attach each item's token ids (from the tokenizer job);</li>
 *   <li>copy each interaction to the chunks that need it: its own (as a target) and the next
 *       ceil(n / k) (as context), so groups are bounded by n + k rows;</li>
 *   <li>lay out samples per chunk ({@link ChunkPacker}); optionally pack short DTI streams of
 *       several users into one row ({@link MultiUserPacker});</li>
 *   <li>write, sorted by (user, first target), with a summary of tokens and attention cost.</li>
 * </ol>
 */
public final class PackJob {
  private PackJob() {}

  public static final String SW_DIR = SampleSchema.PARADIGM_SW;
  public static final String DTI_DIR = SampleSchema.PARADIGM_DTI;

  public static Map<String, Object> run(SparkSession spark, JobConfig conf, String prepared, String tokenizer,
      String output, boolean overwrite) {
    Progress progress = new Progress("pack");
    var hadoop = spark.sparkContext().hadoopConfiguration();
    CommittedOutput.requireComplete(prepared, hadoop);
    CommittedOutput.requireComplete(tokenizer, hadoop);
    int n = conf.integer("pack.window");
    int k = conf.integer("pack.targets");
    List<String> splits = conf.strings("pack.splits");
    boolean writeSw = conf.flag("pack.write-sw");
    boolean writeDti = conf.flag("pack.write-dti");
    int partitions = conf.integer("spark.shuffle-partitions");
    ChunkPacker packer = new ChunkPacker(n, k, splits, writeSw, writeDti);
    CommittedOutput out = CommittedOutput.begin(output, overwrite, hadoop);

    progress.step("numbering user histories (n = " + n + ", k = " + k + ")");
    Dataset<Row> interactions = spark.read().parquet(prepared + "/" + Canonical.INTERACTIONS);
    Dataset<Row> sequenced = Sequencer.assign(interactions, partitions);
    Dataset<Row> itemTokens = spark.read().parquet(tokenizer + "/" + TokenizerJob.ITEM_TOKENS)
        .select(Canonical.ITEM_ID, TokenizerJob.TOKEN_IDS);
    Dataset<Row> withTokens = sequenced.join(itemTokens, Canonical.ITEM_ID)
        .select(java.util.Arrays.stream(ChunkPacker.INPUT_COLUMNS).map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new));

    Dataset<Row> copies = withTokens.withColumn("_chunk", explode(sequence(
        floor(col(Sequencer.SEQ).divide(k)), floor(col(Sequencer.SEQ).plus(n).divide(k)))));
    int chunkCol = copies.schema().fieldIndex("_chunk");
    Dataset<Row> packed = copies
        .groupByKey((MapFunction<Row, String>) r -> r.getString(0) + '\u0000' + r.getLong(chunkCol), Encoders.STRING())
        .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (key, rows) ->
            packer.pack(Long.parseLong(key.substring(key.indexOf('\u0000') + 1)), rows), Encoders.row(SampleRows.SCHEMA));

    if (conf.flag("pack.multi-user") && writeDti) {
      int budget = conf.integer("pack.token-budget");
      Dataset<Row> dti = packed.filter(col(SampleSchema.PARADIGM).equalTo(SampleSchema.PARADIGM_DTI))
          .repartition(partitions, col(SampleSchema.SPLIT), col(SampleSchema.USER_ID), col(SampleSchema.FIRST_TARGET_SEQ))
          .sortWithinPartitions(SampleSchema.SPLIT, SampleSchema.USER_ID, SampleSchema.FIRST_TARGET_SEQ)
          .mapPartitions((MapPartitionsFunction<Row, Row>) it -> MultiUserPacker.pack(it, budget),
              Encoders.row(SampleRows.SCHEMA));
      packed = packed.filter(col(SampleSchema.PARADIGM).equalTo(SampleSchema.PARADIGM_SW)).union(dti);
    }
    progress.step("packing and writing to " + out.stagingDir());
    // One pass writes every (paradigm, split): partitionBy on copies of the two columns (so the
    // files keep the originals), then each directory is renamed to <paradigm>/<split>. No
    // shuffle and no sort of the (large) sample rows: the groups come out of flatMapGroups in
    // key order, balanced by the hash of (user, chunk), and concurrent writers take them in
    // that order, so the files are deterministic without sorting gigabytes of rows.
    String blockSize = Long.toString(conf.longValue("pack.parquet-block-size"));
    var session = spark.conf();
    String planned = session.get("spark.sql.optimizer.plannedWrite.enabled", "true");
    String writers = session.get("spark.sql.maxConcurrentOutputFileWriters", "0");
    session.set("spark.sql.optimizer.plannedWrite.enabled", "false");
    session.set("spark.sql.maxConcurrentOutputFileWriters", "8");
    try {
      packed.withColumn("_p", col(SampleSchema.PARADIGM)).withColumn("_s", col(SampleSchema.SPLIT))
          .write().option("parquet.block.size", blockSize).partitionBy("_p", "_s")
          .parquet(out.path("_partitioned"));
    } finally {
      session.set("spark.sql.optimizer.plannedWrite.enabled", planned);
      session.set("spark.sql.maxConcurrentOutputFileWriters", writers);
    }
    List<String> paradigms = new ArrayList<>();
    if (writeSw) {
      paradigms.add(SampleSchema.PARADIGM_SW);
    }
    if (writeDti) {
      paradigms.add(SampleSchema.PARADIGM_DTI);
    }
    layOut(hadoop, out, paradigms, splits);

    Dataset<Row> written = null;
    for (String paradigm : paradigms) {
      for (String split : splits) {
        Dataset<Row> part = spark.read().parquet(out.path(paradigm + "/" + split)).select(SampleSchema.PARADIGM,
            SampleSchema.SPLIT, SampleSchema.NUM_TOKENS, SampleSchema.NUM_TARGETS, SampleSchema.ATTENTION_PAIRS);
        written = written == null ? part : written.union(part);
      }
    }
    Map<String, Object> summary = summary(written, conf, n, k);
    sequenced.unpersist();
    out.commit(Json.write(summary));
    progress.step("done -> " + output);
    if (summary.containsKey("cost")) {
      System.out.println(Json.write(summary.get("cost")));
    }
    return summary;
  }

  /** Renames _partitioned/_p=P/_s=S to P/S; a (paradigm, split) with no rows gets an empty Parquet table. */
  private static void layOut(org.apache.hadoop.conf.Configuration hadoop, CommittedOutput out, List<String> paradigms,
      List<String> splits) {
    try {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out.path("_partitioned"));
      org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(hadoop);
      for (String paradigm : paradigms) {
        fs.mkdirs(new org.apache.hadoop.fs.Path(out.path(paradigm)));
        for (String split : splits) {
          org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(root, "_p=" + paradigm + "/_s=" + split);
          org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(out.path(paradigm + "/" + split));
          if (fs.exists(from)) {
            if (!fs.rename(from, to)) {
              throw new java.io.IOException("rename " + from + " -> " + to + " failed");
            }
          } else {
            SparkSession.active().createDataFrame(List.of(), SampleRows.SCHEMA).write().parquet(to.toString());
          }
        }
      }
      fs.delete(root, true);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot lay out pack output: " + e.getMessage(), e);
    }
  }

  /** Samples, targets, tokens, padding and attention cost per paradigm, and the SW / DTI ratios. */
  static Map<String, Object> summary(Dataset<Row> packed, JobConfig conf, int n, int k) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "pack");
    summary.put("window", n);
    summary.put("targets_per_sample", k);
    summary.put("schema_version", SampleSchema.VERSION);
    summary.put("config", Json.tree(conf.json("pack")));
    List<Row> rows = packed
        .withColumn("_dense", col(SampleSchema.NUM_TOKENS).cast("long").multiply(col(SampleSchema.NUM_TOKENS).plus(1)).divide(2))
        .groupBy(SampleSchema.PARADIGM, SampleSchema.SPLIT)
        .agg(count(lit(1)).as("samples"), sum(SampleSchema.NUM_TARGETS).as("targets"),
            sum(SampleSchema.NUM_TOKENS).as("tokens"), max(SampleSchema.NUM_TOKENS).as("max_tokens"),
            sum(SampleSchema.ATTENTION_PAIRS).as("attention_pairs"), sum("_dense").as("dense_pairs"))
        .orderBy(SampleSchema.PARADIGM, SampleSchema.SPLIT).collectAsList();
    Map<String, Map<String, Object>> byParadigm = new LinkedHashMap<>();
    Map<String, long[]> totals = new LinkedHashMap<>();
    for (Row r : rows) {
      String paradigm = r.getString(0);
      Map<String, Object> m = new LinkedHashMap<>();
      long samples = r.getLong(2);
      long targets = r.getLong(3);
      long tokens = r.getLong(4);
      int maxTokens = r.getInt(5);
      m.put("samples", samples);
      m.put("targets", targets);
      m.put("tokens", tokens);
      m.put("max_tokens", maxTokens);
      m.put("tokens_per_target", (double) tokens / targets);
      m.put("padding_ratio_at_max_length", 1.0 - (double) tokens / ((double) samples * maxTokens));
      m.put("attention_pairs", r.getLong(6));
      m.put("dense_attention_pairs", (long) r.getDouble(7));
      byParadigm.computeIfAbsent(paradigm, p -> new LinkedHashMap<>()).put(r.getString(1), m);
      long[] t = totals.computeIfAbsent(paradigm, p -> new long[4]);
      t[0] += targets;
      t[1] += tokens;
      t[2] += r.getLong(6);
      t[3] += (long) r.getDouble(7);
    }
    summary.put("samples", byParadigm);
    long[] sw = totals.get(SampleSchema.PARADIGM_SW);
    long[] dti = totals.get(SampleSchema.PARADIGM_DTI);
    if (sw != null && dti != null && sw[0] > 0 && dti[0] > 0) {
      Map<String, Object> cost = new LinkedHashMap<>();
      cost.put("sw_tokens_per_target", (double) sw[1] / sw[0]);
      cost.put("dti_tokens_per_target", (double) dti[1] / dti[0]);
      cost.put("token_ratio_sw_over_dti", ((double) sw[1] / sw[0]) / ((double) dti[1] / dti[0]));
      cost.put("attention_ratio_sw_over_dti_banded", ((double) sw[2] / sw[0]) / ((double) dti[2] / dti[0]));
      cost.put("attention_ratio_sw_over_dti_dense", ((double) sw[2] / sw[0]) / ((double) dti[3] / dti[0]));
      cost.put("method_note_ratio_kn_over_n_plus_k", (double) k * n / (n + k));
      summary.put("cost", cost);
    }
    return summary;
  }
}
