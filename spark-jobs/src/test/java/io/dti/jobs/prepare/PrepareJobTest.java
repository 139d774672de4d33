package io.dti.jobs.prepare;

import static io.dti.jobs.Fixtures.write;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.jobs.TestSpark;
import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.common.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareJobTest {
  @TempDir Path dir;
  final SparkSession spark = TestSpark.session();

  /** Lenient settings so a few bad fixture rows do not fail the job. */
  JobConfig lenient(String format, String... more) {
    return TestSpark.conf("prepare.format=" + format, "prepare.max-reject-ratio=1.0",
        "prepare.min-interactions-per-user=1", "prepare.split.mode=leave-last-out").with(more);
  }

  Map<String, Object> prepare(JobConfig conf) {
    return PrepareJob.run(spark, conf, dir.resolve("raw").toString(), dir.resolve("out").toString(), true);
  }

  /** "file-name:line reason" for every rejected row, sorted. */
  List<String> rejects() {
    return spark.read().parquet(dir.resolve("out/rejected").toString()).collectAsList().stream()
        .map(r -> Path.of(r.getString(0).replace("file:", "")).getFileName() + ":" + r.getLong(1) + " " + r.getString(2))
        .sorted().collect(Collectors.toList());
  }

  List<Row> interactions() {
    return spark.read().parquet(dir.resolve("out/interactions").toString())
        .orderBy("user_id", "timestamp", "item_id").collectAsList();
  }

  static String flags(int... on) {
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < 19; g++) {
      final int gg = g;
      b.append('|').append(java.util.Arrays.stream(on).anyMatch(x -> x == gg) ? 1 : 0);
    }
    return b.toString();
  }

  @Test
  void movieLens100kWithMalformedRows() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "u.data", ISO_8859_1,
        "1\t10\t5\t881250949", "1\t11\t3\t881250950", "2\t10\tx\t881250951", "2\t99\t4\t881250952",
        "3\t10\t4", "1\t10\t5\t881250949", "\t10\t4\t881250953", "2\t11\t2\tabc");
    write(raw, "u.item", ISO_8859_1,
        "10|Café Society (1995)|01-Jan-1995||http://x" + flags(5, 8),
        "11|Toy Story (1995)|01-Jan-1995||http://y" + flags(3),
        "12|broken");
    Map<String, Object> s = prepare(lenient("movielens-100k"));
    assertEquals(List.of(
        "u.data:3 unparsable rating 'x'", "u.data:4 unknown item '99'", "u.data:5 expected 4 fields, found 3",
        "u.data:7 missing user id", "u.data:8 unparsable timestamp 'abc'", "u.item:3 expected 24 fields, found 2"), rejects());
    assertEquals(1L, s.get("duplicates_removed"));
    List<Row> rows = interactions();
    assertEquals(2, rows.size());
    assertEquals(1, rows.get(0).<Integer>getAs("label")); // rating 5 >= 4
    assertEquals(0, rows.get(1).<Integer>getAs("label")); // rating 3
    Row item = spark.read().parquet(dir.resolve("out/items").toString()).orderBy("item_id").first();
    assertEquals("Café Society (1995)", item.getAs("title")); // latin-1 decoded
    assertEquals("Comedy Drama", item.getAs("categories"));
    assertTrue(Files.exists(dir.resolve("out").resolve(CommittedOutput.MARKER)));
  }

  @Test
  void movieLensDatAndCsv() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "ratings.dat", ISO_8859_1, "1::10::5::978300760", "1::11::2::978300761", "1::10::5");
    write(raw, "movies.dat", ISO_8859_1, "10::Heat (1995)::Action|Crime|Thriller", "11::Sabrina (1995)::Comedy|Romance");
    prepare(lenient("movielens-dat"));
    assertEquals(List.of("ratings.dat:3 expected 4 fields, found 3"), rejects());
    assertEquals(2, interactions().size());

    write(raw, "ratings.csv", UTF_8, "userId,movieId,rating,timestamp", "1,11,4.5,1100000000", "1,12,4.5", "2,11,1.0,1100000001");
    write(raw, "movies.csv", UTF_8, "movieId,title,genres", "11,\"American President, The (1995)\",Comedy|Drama",
        "12,Jumanji (1995),(no genres listed)");
    prepare(lenient("movielens-csv"));
    assertEquals(List.of("ratings.csv:3 expected 4 fields, found 3"), rejects());
    Row item = spark.read().parquet(dir.resolve("out/items").toString()).orderBy("item_id").first();
    assertEquals("American President, The (1995)", item.getAs("title"));
    assertEquals("Comedy Drama", item.getAs("categories"));
  }

  @Test
  void amazonJsonLines() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "reviews.json", UTF_8,
        "{\"reviewerID\":\"A1\",\"asin\":\"B1\",\"overall\":5.0,\"unixReviewTime\":1400000000}",
        "{\"reviewerID\":\"A1\",\"asin\":\"B2\",\"overall\":2.0,\"unixReviewTime\":1400000100}",
        "{\"reviewerID\":",
        "{\"reviewerID\":\"A2\",\"asin\":\"B1\",\"overall\":\"great\",\"unixReviewTime\":1400000000}");
    write(raw, "meta.json", UTF_8,
        "{\"asin\":\"B1\",\"title\":\"Nice Kettle\",\"categories\":[[\"Home\",\"Kitchen\"]]}",
        "{\"asin\":\"B2\",\"title\":\"Mug\",\"category\":[\"Kitchen\",\"Cups\"]}");
    prepare(lenient("amazon"));
    List<String> r = rejects();
    assertEquals(2, r.size());
    assertTrue(r.get(0).startsWith("reviews.json:3 malformed JSON"), r.get(0));
    assertEquals("reviews.json:4 unparsable rating 'great'", r.get(1));
    assertEquals(2, interactions().size());
    Row b1 = spark.read().parquet(dir.resolve("out/items").toString()).orderBy("item_id").first();
    assertEquals("Home Kitchen", b1.getAs("categories"));
  }

  @Test
  void bookCrossingLatin1QuotedWithImplicitRatings() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "BX-Book-Ratings.csv", ISO_8859_1, "\"User-ID\";\"ISBN\";\"Book-Rating\"",
        "\"276725\";\"034545104X\";\"0\"", "\"276725\";\"0155061224\";\"5\"", "\"276725\";\"034545104X\";\"8\"",
        "\"276726\";\"0155061224\"");
    write(raw, "BX-Books.csv", ISO_8859_1,
        "\"ISBN\";\"Book-Title\";\"Book-Author\";\"Year-Of-Publication\";\"Publisher\";\"Image-URL-S\";\"Image-URL-M\";\"Image-URL-L\"",
        "\"0155061224\";\"Rites of Passage \\\"Bis\\\"\";\"Judith Rae\";\"2001\";\"Heinle\";\"u\";\"u\";\"u\"",
        "\"034545104X\";\"Flesh Tones: A Novel\";\"M. J. Rosé\";\"2002\";\"Ballantine Books\";\"u\";\"u\";\"u\"");
    Map<String, Object> s = prepare(lenient("bookcrossing"));
    assertEquals(List.of("BX-Book-Ratings.csv:5 expected 3 fields, found 2"), rejects());
    assertEquals(1L, s.get("implicit_filtered"));
    List<Row> rows = interactions();
    assertEquals(2, rows.size());
    // No timestamps in BookCrossing: line order stands in for time. 5 < 6 -> 0; 8 -> 1.
    assertEquals(3L, rows.get(0).<Long>getAs("timestamp"));
    assertEquals(0, rows.get(0).<Integer>getAs("label"));
    assertEquals(1, rows.get(1).<Integer>getAs("label"));
    List<Row> items = spark.read().parquet(dir.resolve("out/items").toString()).orderBy("item_id").collectAsList();
    assertEquals("Rites of Passage \"Bis\"", items.get(0).getAs("title"));
    assertEquals("M. J. Rosé", items.get(1).getAs("categories"));
  }

  @Test
  void genericCsvAndParquetWithColumnMapping() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "events.csv", UTF_8, "uid,iid,when,clicked", "u1,a,1600000000000,1", "u1,b,1600000001000,0",
        "u2,a,not-a-time,1", "u2,b,1600000002000,maybe");
    write(raw, "catalog.csv", UTF_8, "id,name,tags", "a,Red Shoes,fashion", "b,Blue Hat,");
    JobConfig csv = lenient("generic", "prepare.generic.interactions=events.csv", "prepare.generic.items=catalog.csv",
        "prepare.generic.timestamp-unit=millis", "prepare.generic.columns.user=uid", "prepare.generic.columns.item=iid",
        "prepare.generic.columns.timestamp=when", "prepare.generic.columns.rating=", "prepare.generic.columns.label=clicked",
        "prepare.generic.item-columns.item=id", "prepare.generic.item-columns.title=name",
        "prepare.generic.item-columns.categories=tags");
    prepare(csv);
    assertEquals(List.of("events.csv:4 unparsable timestamp 'not-a-time'",
        "events.csv:5 unparsable label 'maybe' (expected 0/1, true/false, yes/no)"), rejects());
    List<Row> rows = interactions();
    assertEquals(2, rows.size());
    assertEquals(1600000000L, rows.get(0).<Long>getAs("timestamp"));

    spark.createDataFrame(List.of(RowFactory.create("u1", "a", 1600000000000L, 1), RowFactory.create(null, "a", 1L, 0)),
        new org.apache.spark.sql.types.StructType().add("uid", "string").add("iid", "string").add("when", "long").add("clicked", "int"))
        .coalesce(1).write().mode("overwrite").parquet(raw.resolve("events.parquet").toString());
    spark.read().option("header", true).csv(raw.resolve("catalog.csv").toString())
        .write().mode("overwrite").parquet(raw.resolve("catalog.parquet").toString());
    prepare(csv.with("prepare.generic.file-type=parquet", "prepare.generic.interactions=events.parquet",
        "prepare.generic.items=catalog.parquet"));
    List<String> r = rejects();
    assertEquals(1, r.size());
    assertTrue(r.get(0).endsWith(":2 missing user id"), r.get(0));
  }

  @Test
  void missingOrEmptyInputFailsAtOnceNamingThePath() throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> prepare(lenient("movielens-100k")));
    assertTrue(missing.getMessage().contains("raw/u.item"), missing.getMessage());
    write(dir.resolve("raw"), "u.item", ISO_8859_1, "10|X|||" + flags(1));
    Files.createFile(dir.resolve("raw/u.data"));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> prepare(lenient("movielens-100k")));
    assertTrue(empty.getMessage().startsWith("input is empty: ") && empty.getMessage().contains("u.data"), empty.getMessage());
  }

  @Test
  void tooManyRejectsFailsAndCommitsNothing() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw, "u.data", ISO_8859_1, "1\t10\t5\t881250949", "oops", "1\t10\tbad\t1");
    write(raw, "u.item", ISO_8859_1, "10|Heat|||" + flags(1));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> prepare(lenient("movielens-100k", "prepare.max-reject-ratio=0.1")));
    assertTrue(e.getMessage().contains("2 of 4 input rows rejected"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")), "a failed job must not leave a committed output");
  }

  @Test
  void temporalSplitHasNoFutureInTraining() throws Exception {
    Path raw = dir.resolve("raw");
    String[] lines = new String[200];
    for (int i = 0; i < 200; i++) {
      lines[i] = (1 + i % 7) + "\t" + (10 + i % 3) + "\t" + (1 + i % 5) + "\t" + (1000 + i * 10);
    }
    write(raw, "u.data", ISO_8859_1, lines);
    write(raw, "u.item", ISO_8859_1, "10|A|||" + flags(1), "11|B|||" + flags(2), "12|C|||" + flags(3));
    Map<String, Object> s = prepare(lenient("movielens-100k", "prepare.split.mode=temporal"));
    Row r = spark.read().parquet(dir.resolve("out/interactions").toString()).groupBy("split")
        .agg(org.apache.spark.sql.functions.min("timestamp"), org.apache.spark.sql.functions.max("timestamp"))
        .orderBy("split").collectAsList().stream().filter(x -> x.getString(0).equals("train")).findFirst().orElseThrow();
    long trainMax = r.getLong(2);
    long laterMin = spark.read().parquet(dir.resolve("out/interactions").toString()).filter("split != 'train'")
        .agg(org.apache.spark.sql.functions.min("timestamp")).first().getLong(0);
    assertTrue(trainMax < laterMin, "train max " + trainMax + " vs later min " + laterMin);
    @SuppressWarnings("unchecked")
    Map<String, Long> bySplit = (Map<String, Long>) s.get("by_split");
    assertEquals(200L, bySplit.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(Math.abs(bySplit.get("train") - 160) <= 1 && Math.abs(bySplit.get("test") - 20) <= 1, bySplit.toString());
  }
}
