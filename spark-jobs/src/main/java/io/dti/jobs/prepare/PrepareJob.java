package io.dti.jobs.prepare;

import static io.dti.jobs.prepare.Canonical.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;

import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.common.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

/**
 * prepare: raw interactions and item metadata to the canonical tables {@code interactions},
 * {@code items} and {@code rejected} (docs/data-schema.md). Bad rows are kept, with file, line
 * and reason, in {@code rejected}; too many of them fail the job before anything is committed.
 */
public final class PrepareJob {
  private PrepareJob() {}

  public static Map<String, Object> run(SparkSession spark, JobConfig conf, String input, String output, boolean overwrite) {
    Progress progress = new Progress("prepare");
    String formatName = conf.string("prepare.format");
    InputFormat format = InputFormat.named(formatName, conf);
    String charset = conf.string("prepare.charset").isEmpty() ? format.defaultCharset() : conf.string("prepare.charset");
    double threshold = conf.string("prepare.label-threshold").isEmpty()
        ? format.defaultLabelThreshold() : conf.number("prepare.label-threshold");
    RecordParser parser = new RecordParser(format, threshold);
    String itemsPath = format.itemsPath(input);
    String interactionsPath = format.interactionsPath(input);
    // Fail at once, naming the path, on a missing or empty input.
    LineSource.listFiles(spark, itemsPath);
    LineSource.listFiles(spark, interactionsPath);

    CommittedOutput out = CommittedOutput.begin(output, overwrite, spark.sparkContext().hadoopConfiguration());
    progress.step("reading " + formatName + " from " + input + " (" + charset + ", label: rating >= " + threshold + ")");

    // Items: parse, reject bad rows and repeated ids (the first occurrence wins).
    Dataset<Row> itemLines = dropHeaders(format.lines(spark, itemsPath, charset, true), format);
    Dataset<Row> parsedItems = itemLines
        .map((MapFunction<Row, Row>) parser::item, Encoders.row(RecordParser.PARSED_ITEM))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> goodItems = parsedItems.filter(col(REASON).isNull());
    Dataset<Row> itemRank = goodItems.withColumn("_rank",
        row_number().over(Window.partitionBy(ITEM_ID).orderBy(FILE, LINE)));
    Dataset<Row> items = itemRank.filter(col("_rank").equalTo(1)).select(ITEM_ID, TITLE, CATEGORIES)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> itemRejects = parsedItems.filter(col(REASON).isNotNull()).select(FILE, LINE, REASON, RAW)
        .union(itemRank.filter(col("_rank").gt(1)).select(col(FILE), col(LINE),
            concat(lit("duplicate item id '"), col(ITEM_ID), lit("'")).as(REASON), lit(null).cast("string").as(RAW)));

    // Interactions: parse, reject bad rows and unknown items.
    Dataset<Row> lines = dropHeaders(format.lines(spark, interactionsPath, charset, false), format);
    Dataset<Row> parsed = lines
        .map((MapFunction<Row, Row>) parser::interaction, Encoders.row(RecordParser.PARSED_INTERACTION))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long lineCount = parsed.count();
    Dataset<Row> good = parsed.filter(col(REASON).isNull());
    Dataset<Row> known = good.join(items.select(ITEM_ID), good.col(ITEM_ID).equalTo(items.col(ITEM_ID)), "left_semi");
    Dataset<Row> unknown = good.join(items.select(ITEM_ID), good.col(ITEM_ID).equalTo(items.col(ITEM_ID)), "left_anti")
        .select(col(FILE), col(LINE), concat(lit("unknown item '"), col(ITEM_ID), lit("'")).as(REASON), lit(null).cast("string").as(RAW));
    Dataset<Row> rejected = parsed.filter(col(REASON).isNotNull()).select(FILE, LINE, REASON, RAW)
        .union(unknown).union(itemRejects).persist(StorageLevel.MEMORY_AND_DISK());

    // Implicit ratings (BookCrossing's 0) are not scores: counted, not kept.
    Dataset<Row> explicit = known.filter(col(RecordParser.IMPLICIT).equalTo(false));
    // Same (user, item, timestamp) twice: keep the first occurrence in file order.
    Dataset<Row> deduped = explicit.groupBy(USER_ID, ITEM_ID, TIMESTAMP)
        .agg(min(struct(FILE, LINE, RATING, LABEL)).as("first"))
        .select(col(USER_ID), col(ITEM_ID), col(TIMESTAMP), col("first." + RATING).as(RATING), col("first." + LABEL).as(LABEL))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long knownCount = known.count();
    long explicitCount = explicit.count();
    long dedupedCount = deduped.count();

    // Users below the minimum history length are dropped with a count.
    int minPerUser = conf.integer("prepare.min-interactions-per-user");
    Dataset<Row> userCounts = deduped.groupBy(USER_ID).agg(count(lit(1)).as("_n"));
    Dataset<Row> kept = deduped.join(userCounts.filter(col("_n").geq(minPerUser)).select(USER_ID), USER_ID);
    long keptCount = kept.count();
    long droppedUsers = userCounts.filter(col("_n").lt(minPerUser)).count();

    Dataset<Row> split = Splits.assign(kept, conf);
    int partitions = conf.integer("spark.shuffle-partitions");
    Dataset<Row> canonical = split.select(columns(INTERACTION_SCHEMA))
        .repartition(partitions, col(USER_ID)).sortWithinPartitions(USER_ID, TIMESTAMP, ITEM_ID);

    long rejectCount = rejected.count();
    long itemLineCount = parsedItems.count();
    double rejectRatio = (double) rejectCount / Math.max(1, lineCount + itemLineCount);

    progress.step("writing canonical tables to " + out.stagingDir());
    canonical.write().parquet(out.path(INTERACTIONS));
    items.orderBy(ITEM_ID).write().parquet(out.path(ITEMS));
    rejected.orderBy(FILE, LINE).write().parquet(out.path(REJECTED));

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "prepare");
    summary.put("format", formatName);
    summary.put("input", input);
    summary.put("charset", charset);
    summary.put("label_threshold", threshold);
    summary.put("interaction_lines", lineCount);
    summary.put("item_lines", itemLineCount);
    summary.put("rejected", rejectCount);
    summary.put("rejected_by_reason", reasons(rejected));
    summary.put("reject_ratio", rejectRatio);
    summary.put("implicit_filtered", knownCount - explicitCount);
    summary.put("duplicates_removed", explicitCount - dedupedCount);
    summary.put("users_below_min", droppedUsers);
    summary.put("interactions_below_min", dedupedCount - keptCount);
    summary.put("interactions", keptCount);
    summary.put("items", items.count());
    summary.put("users", userCounts.filter(col("_n").geq(minPerUser)).count());
    summary.put("by_split", splitCounts(spark, out.path(INTERACTIONS)));
    summary.put("split_mode", conf.string("prepare.split.mode"));

    double maxRatio = conf.number("prepare.max-reject-ratio");
    if (rejectRatio > maxRatio) {
      throw new IllegalStateException(String.format(
          "prepare: %d of %d input rows rejected (%.4f > prepare.max-reject-ratio = %.4f); nothing committed. "
              + "Rejected rows with file, line and reason are in %s; top reasons: %s",
          rejectCount, lineCount + itemLineCount, rejectRatio, maxRatio, out.path(REJECTED), summary.get("rejected_by_reason")));
    }
    out.commit(Json.write(summary));
    progress.step("done: " + keptCount + " interactions, " + rejectCount + " rejected -> " + output);
    parsed.unpersist();
    parsedItems.unpersist();
    return summary;
  }

  static org.apache.spark.sql.Column[] columns(org.apache.spark.sql.types.StructType schema) {
    return java.util.Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
  }

  private static Dataset<Row> dropHeaders(Dataset<Row> lines, InputFormat format) {
    return format.header() ? lines.filter(col("line").gt(1)) : lines;
  }

  private static Map<String, Long> reasons(Dataset<Row> rejected) {
    // Reasons that quote a value ("unknown item 'x'") are grouped by their text before the quote.
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : rejected.select(org.apache.spark.sql.functions.regexp_replace(col(REASON), " '.*$", "").as("r"))
        .groupBy("r").count().orderBy(col("count").desc(), col("r")).limit(20).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  private static Map<String, Long> splitCounts(SparkSession spark, String interactions) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : spark.read().parquet(interactions).groupBy(SPLIT).count().orderBy(SPLIT).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }
}
