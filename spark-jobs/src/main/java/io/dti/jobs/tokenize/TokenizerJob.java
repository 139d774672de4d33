package io.dti.jobs.tokenize;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dti.data.SpecialTokens;
import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.common.Progress;
import io.dti.jobs.prepare.Canonical;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * tokenizer: builds the word vocabulary over item text with Spark MLlib (RegexTokenizer,
 * optional StopWordsRemover, CountVectorizer), writes it as a Hugging Face {@code tokenizer.json}
 * (WordLevel model, Lowercase normalizer, regex Split pre-tokenizer: the same rules as the MLlib
 * RegexTokenizer, so DJL's HuggingFaceTokenizer encodes text exactly as this job does) and the
 * {@code item_tokens} table: each item's text T(x) as token ids, cut to the token budget.
 */
public final class TokenizerJob {
  private TokenizerJob() {}

  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final String ITEM_TOKENS = "item_tokens";
  public static final String TEXT = "text";
  public static final String TOKEN_IDS = "token_ids";
  public static final String FULL_LENGTH = "full_length";

  /** item_id, text (what a serving system encodes), token_ids (truncated), full_length (before truncation). */
  public static final StructType ITEM_TOKENS_SCHEMA = new StructType()
      .add(Canonical.ITEM_ID, DataTypes.StringType, false)
      .add(TEXT, DataTypes.StringType, false)
      .add(TOKEN_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add(FULL_LENGTH, DataTypes.IntegerType, false);

  public static Map<String, Object> run(SparkSession spark, JobConfig conf, String prepared, String output, boolean overwrite) {
    Progress progress = new Progress("tokenizer");
    CommittedOutput.requireComplete(prepared, spark.sparkContext().hadoopConfiguration());
    CommittedOutput out = CommittedOutput.begin(output, overwrite, spark.sparkContext().hadoopConfiguration());
    String pattern = conf.string("tokenizer.pattern");
    boolean stopWords = conf.flag("tokenizer.remove-stop-words");
    boolean itemIdTokens = conf.flag("tokenizer.item-id-tokens");
    int budget = conf.integer("tokenizer.max-item-tokens");

    Dataset<Row> items = spark.read().parquet(prepared + "/" + Canonical.ITEMS)
        .withColumn("_raw", concat_ws(" ", col(Canonical.TITLE), col(Canonical.CATEGORIES)));
    Dataset<Row> words = new RegexTokenizer().setInputCol("_raw").setOutputCol("_words")
        .setPattern(pattern).setGaps(false).setToLowercase(true).setMinTokenLength(1).transform(items);
    if (stopWords) {
      words = new StopWordsRemover().setInputCol("_words").setOutputCol("_kept").transform(words)
          .drop("_words").withColumnRenamed("_kept", "_words");
    }
    words = words.cache();
    progress.step("fitting CountVectorizer over " + words.count() + " items");
    CountVectorizerModel cv = new CountVectorizer().setInputCol("_words").setOutputCol("_counts")
        .setMinDF(conf.integer("tokenizer.min-count")).setVocabSize(conf.integer("tokenizer.max-vocab")).fit(words);
    String[] wordVocab = cv.vocabulary().clone();
    Arrays.sort(wordVocab); // a stable order, whatever the ties in counts

    List<String> itemTokens = new ArrayList<>();
    if (itemIdTokens) {
      for (Row r : items.select(Canonical.ITEM_ID).orderBy(Canonical.ITEM_ID).collectAsList()) {
        itemTokens.add(SpecialTokens.itemToken(r.getString(0)));
      }
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    SpecialTokens.ALL.forEach(t -> vocab.put(t, vocab.size()));
    itemTokens.forEach(t -> vocab.put(t, vocab.size()));
    for (String w : wordVocab) {
      vocab.putIfAbsent(w, vocab.size());
    }
    writeTokenizerJson(spark, out.path(TOKENIZER_FILE), vocab, itemTokens, pattern);

    Broadcast<Map<String, Integer>> ids = spark.sparkContext().broadcast(vocab, scala.reflect.ClassTag$.MODULE$.apply(Map.class));
    Dataset<Row> encoded = words.select(col(Canonical.ITEM_ID), col("_raw"), col("_words"))
        .map((MapFunction<Row, Row>) r -> encode(r, ids.value(), stopWords, itemIdTokens, budget),
            Encoders.row(ITEM_TOKENS_SCHEMA));
    encoded.orderBy(Canonical.ITEM_ID).write().parquet(out.path(ITEM_TOKENS));

    Dataset<Row> written = spark.read().parquet(out.path(ITEM_TOKENS));
    Row stats = written.agg(
        org.apache.spark.sql.functions.avg(FULL_LENGTH), org.apache.spark.sql.functions.max(FULL_LENGTH),
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(col(FULL_LENGTH).gt(budget), 1).otherwise(0)))
        .first();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "tokenizer");
    summary.put("vocab_size", vocab.size());
    summary.put("special_tokens", SpecialTokens.ALL.size());
    summary.put("item_id_tokens", itemTokens.size());
    summary.put("words", wordVocab.length);
    summary.put("items", written.count());
    summary.put("mean_item_tokens", stats.isNullAt(0) ? 0.0 : stats.getDouble(0));
    summary.put("max_item_tokens", stats.isNullAt(1) ? 0 : stats.getInt(1));
    summary.put("items_truncated", stats.isNullAt(2) ? 0L : stats.getLong(2));
    summary.put("max_item_tokens_budget", budget);
    summary.put("config", Json.tree(conf.json("tokenizer")));
    words.unpersist();
    out.commit(Json.write(summary));
    progress.step("done: vocabulary of " + vocab.size() + " -> " + output);
    return summary;
  }

  /** One item's token ids: optional [ITEM_id], then its words, unknown words as [UNK]. */
  static Row encode(Row r, Map<String, Integer> vocab, boolean stopWords, boolean itemIdTokens, int budget) {
    String itemId = r.getString(0);
    List<String> words = r.getList(2);
    List<Integer> ids = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    if (itemIdTokens) {
      String tok = SpecialTokens.itemToken(itemId);
      ids.add(vocab.get(tok));
      text.append(tok);
    }
    for (String w : words) {
      ids.add(vocab.getOrDefault(w, SpecialTokens.UNK_ID));
    }
    // The stored text is what a serving system hands the tokenizer: the raw text, or the kept
    // words when stop words were removed (the tokenizer itself does not drop them).
    String body = stopWords ? String.join(" ", words) : r.getString(1);
    if (!body.isEmpty()) {
      text.append(text.length() == 0 ? "" : " ").append(body);
    }
    int[] truncated = ids.stream().limit(budget).mapToInt(Integer::intValue).toArray();
    return RowFactory.create(itemId, text.toString(), truncated, ids.size());
  }

  private static void writeTokenizerJson(SparkSession spark, String path, Map<String, Integer> vocab,
      List<String> itemTokens, String pattern) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    List<String> specials = new ArrayList<>(SpecialTokens.ALL);
    specials.addAll(itemTokens);
    for (String t : specials) {
      ObjectNode a = added.addObject();
      a.put("id", vocab.get(t));
      a.put("content", t);
      a.put("single_word", false);
      a.put("lstrip", false);
      a.put("rstrip", false);
      a.put("normalized", false);
      a.put("special", true);
    }
    root.putObject("normalizer").put("type", "Lowercase");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Split");
    pre.putObject("pattern").put("Regex", pattern);
    pre.put("behavior", "Removed");
    pre.put("invert", true);
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    model.put("unk_token", SpecialTokens.UNK);
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream os = fs.create(p, true)) {
        os.write(Json.write(root).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
