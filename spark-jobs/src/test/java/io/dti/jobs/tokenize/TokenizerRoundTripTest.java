package io.dti.jobs.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.dti.data.SpecialTokens;
import io.dti.jobs.Fixtures;
import io.dti.jobs.TestSpark;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.prepare.PrepareJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer.json the job writes loads in DJL and encodes item text exactly as the job did. */
class TokenizerRoundTripTest {
  @TempDir Path dir;
  final SparkSession spark = TestSpark.session();

  void roundTrip(JobConfig conf) throws Exception {
    Path raw = dir.resolve("raw");
    Fixtures.write(raw, "ratings.csv", StandardCharsets.UTF_8, "userId,movieId,rating,timestamp",
        "1,1,4,100", "1,2,2,200", "2,3,5,300");
    Fixtures.write(raw, "movies.csv", StandardCharsets.UTF_8, "movieId,title,genres",
        "1,\"Amélie (Le Fabuleux Destin d'Amélie Poulain) (2001)\",Comedy|Romance",
        "2,The Matrix: Reloaded -- 2003!,Action|Sci-Fi",
        "3,\"ÉCOLE, Straße & 東京 (1999)\",Drama");
    JobConfig c = conf.with("prepare.format=movielens-csv", "prepare.min-interactions-per-user=1");
    PrepareJob.run(spark, c, raw.toString(), dir.resolve("prepared").toString(), true);
    Map<String, Object> s = TokenizerJob.run(spark, c, dir.resolve("prepared").toString(), dir.resolve("tok").toString(), true);
    List<Row> items = spark.read().parquet(dir.resolve("tok/item_tokens").toString()).orderBy("item_id").collectAsList();
    assertEquals(3, items.size());
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tok/tokenizer.json"))) {
      for (Row r : items) {
        Encoding e = tok.encode(r.getString(1), false, false);
        int[] djl = java.util.Arrays.stream(e.getIds()).mapToInt(x -> (int) x).toArray();
        int[] job = r.getList(2).stream().mapToInt(x -> (Integer) x).toArray();
        assertEquals(r.getInt(3), djl.length, "full length of " + r.getString(1));
        assertArrayEquals(job, java.util.Arrays.copyOf(djl, job.length), "ids of '" + r.getString(1) + "'");
        for (int id : job) {
          assertTrue(id != SpecialTokens.UNK_ID, "unexpected [UNK] in " + r.getString(1));
        }
      }
      assertEquals(SpecialTokens.SUM_ID, tok.encode(SpecialTokens.SUM, false, false).getIds()[0]);
      assertTrue(((Number) s.get("vocab_size")).intValue() > 6);
    }
  }

  @Test
  void wordsOnly() throws Exception {
    roundTrip(TestSpark.conf());
  }

  @Test
  void withItemIdTokensAndTruncation() throws Exception {
    roundTrip(TestSpark.conf("tokenizer.item-id-tokens=true", "tokenizer.max-item-tokens=4"));
  }
}
