package io.dti.jobs.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dti.jobs.common.JobConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/** The raw layouts {@code prepare} reads. Each is small: locate fields, nothing else. */
final class Formats {
  private Formats() {}

  private static String join(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** MovieLens 100K: u.data (tab: user item rating ts), u.item (| separated, 19 genre flags), latin-1. */
  static final class MovieLens100k implements InputFormat {
    static final String[] GENRES = {"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy",
        "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
        "Sci-Fi", "Thriller", "War", "Western"};

    @Override public String[] interaction(String line, long lineNo) throws Reject {
      String[] f = Csv.expect(line.split("\t", -1), 4);
      return new String[] {f[0], f[1], f[2], f[3], ""};
    }

    @Override public String[] item(String line) throws Reject {
      String[] f = Csv.expect(line.split("\\|", -1), 5 + GENRES.length);
      StringBuilder cats = new StringBuilder();
      for (int g = 0; g < GENRES.length; g++) {
        if (f[5 + g].equals("1")) {
          cats.append(cats.length() == 0 ? "" : " ").append(GENRES[g]);
        }
      }
      return new String[] {f[0], f[1], cats.toString()};
    }

    @Override public String interactionsPath(String dir) { return join(dir, "u.data"); }
    @Override public String itemsPath(String dir) { return join(dir, "u.item"); }
    @Override public boolean header() { return false; }
    @Override public String defaultCharset() { return "ISO-8859-1"; }
    @Override public double defaultLabelThreshold() { return 4.0; }
  }

  /** MovieLens 1M / 10M: ratings.dat (user::item::rating::ts), movies.dat (id::title::genre|genre). */
  static final class MovieLensDat implements InputFormat {
    @Override public String[] interaction(String line, long lineNo) throws Reject {
      String[] f = Csv.expect(line.split("::", -1), 4);
      return new String[] {f[0], f[1], f[2], f[3], ""};
    }

    @Override public String[] item(String line) throws Reject {
      String[] f = Csv.expect(line.split("::", -1), 3);
      return new String[] {f[0], f[1], f[2].replace('|', ' ')};
    }

    @Override public String interactionsPath(String dir) { return join(dir, "ratings.dat"); }
    @Override public String itemsPath(String dir) { return join(dir, "movies.dat"); }
    @Override public boolean header() { return false; }
    @Override public String defaultCharset() { return "ISO-8859-1"; }
    @Override public double defaultLabelThreshold() { return 4.0; }
  }

  /** MovieLens latest: ratings.csv (userId,movieId,rating,timestamp), movies.csv (movieId,title,genres), headers. */
  static final class MovieLensCsv implements InputFormat {
    @Override public String[] interaction(String line, long lineNo) throws Reject {
      String[] f = Csv.expect(Csv.split(line, ",", '"'), 4);
      return new String[] {f[0], f[1], f[2], f[3], ""};
    }

    @Override public String[] item(String line) throws Reject {
      String[] f = Csv.expect(Csv.split(line, ",", '"'), 3);
      String genres = f[2].equals("(no genres listed)") ? "" : f[2].replace('|', ' ');
      return new String[] {f[0], f[1], genres};
    }

    @Override public String interactionsPath(String dir) { return join(dir, "ratings.csv"); }
    @Override public String itemsPath(String dir) { return join(dir, "movies.csv"); }
    @Override public boolean header() { return true; }
    @Override public String defaultCharset() { return "UTF-8"; }
    @Override public double defaultLabelThreshold() { return 4.0; }
  }

  /** Amazon reviews: JSON lines {reviewerID, asin, overall, unixReviewTime}; metadata {asin, title, categories|category}. */
  static final class Amazon implements InputFormat {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String reviews;
    private final String meta;

    Amazon(String reviews, String meta) {
      this.reviews = reviews;
      this.meta = meta;
    }

    private static JsonNode parse(String line) throws Reject {
      try {
        JsonNode n = JSON.readTree(line);
        if (n == null || !n.isObject()) {
          throw new Reject("not a JSON object");
        }
        return n;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Reject("malformed JSON: " + e.getOriginalMessage());
      }
    }

    private static String text(JsonNode n, String field) {
      JsonNode v = n.get(field);
      return v == null || v.isNull() ? "" : v.asText();
    }

    @Override public String[] interaction(String line, long lineNo) throws Reject {
      JsonNode n = parse(line);
      return new String[] {text(n, "reviewerID"), text(n, "asin"), text(n, "overall"), text(n, "unixReviewTime"), ""};
    }

    @Override public String[] item(String line) throws Reject {
      JsonNode n = parse(line);
      List<String> cats = new ArrayList<>();
      collect(n.get("categories"), cats);
      collect(n.get("category"), cats);
      return new String[] {text(n, "asin"), text(n, "title"), String.join(" ", cats)};
    }

    private static void collect(JsonNode node, List<String> out) {
      if (node == null) {
        return;
      }
      if (node.isArray()) {
        node.forEach(c -> collect(c, out));
      } else if (node.isTextual() && !out.contains(node.asText())) {
        out.add(node.asText());
      }
    }

    @Override public String interactionsPath(String dir) { return join(dir, reviews); }
    @Override public String itemsPath(String dir) { return join(dir, meta); }
    @Override public boolean header() { return false; }
    @Override public String defaultCharset() { return "UTF-8"; }
    @Override public double defaultLabelThreshold() { return 4.0; }
  }

  /**
   * BookCrossing: BX-Book-Ratings.csv ("User-ID";"ISBN";"Book-Rating", 0..10) and BX-Books.csv,
   * latin-1, with headers. It has no timestamps: the line order of the ratings file stands in
   * for time. Rating 0 is an implicit interaction, not a score: filtered (counted) by default.
   * Default label: rating >= 6 (the upper half of the explicit 1..10 scale).
   */
  static final class BookCrossing implements InputFormat {
    private final boolean keepImplicit;

    BookCrossing(boolean keepImplicit) {
      this.keepImplicit = keepImplicit;
    }

    @Override public String[] interaction(String line, long lineNo) throws Reject {
      String[] f = Csv.expect(Csv.split(line, ";", '"'), 3);
      return new String[] {f[0], f[1], f[2], Long.toString(lineNo), ""};
    }

    @Override public String[] item(String line) throws Reject {
      String[] f = Csv.atLeast(Csv.split(line, ";", '"'), 5);
      return new String[] {f[0], f[1], f[2]};
    }

    @Override public boolean isImplicit(double rating) {
      return !keepImplicit && rating == 0.0;
    }

    @Override public String interactionsPath(String dir) { return join(dir, "BX-Book-Ratings.csv"); }
    @Override public String itemsPath(String dir) { return join(dir, "BX-Books.csv"); }
    @Override public boolean header() { return true; }
    @Override public String defaultCharset() { return "ISO-8859-1"; }
    @Override public double defaultLabelThreshold() { return 6.0; }
  }

  /**
   * Any CSV or Parquet pair with a column mapping in config ({@code prepare.generic.*}).
   * Spark's own readers parse the files; the mapped columns travel joined by a unit separator,
   * with the row's file and line (Parquet: 1-based row number) for rejects.
   */
  static final class Generic implements InputFormat {
    private static final String US = "\u001f";
    private final String fileType;
    private final String interactions;
    private final String items;
    private final String separator;
    private final boolean header;
    private final String charset;
    private final String timestampUnit;
    private final double threshold;
    private final String[] interactionCols;
    private final String[] itemCols;

    private Generic(JobConfig c) {
      fileType = c.string("prepare.generic.file-type");
      interactions = c.string("prepare.generic.interactions");
      items = c.string("prepare.generic.items");
      separator = c.string("prepare.generic.separator");
      header = c.flag("prepare.generic.header");
      charset = c.string("prepare.generic.charset");
      timestampUnit = c.string("prepare.generic.timestamp-unit");
      threshold = c.number("prepare.generic.label-threshold");
      interactionCols = new String[] {c.string("prepare.generic.columns.user"), c.string("prepare.generic.columns.item"),
          c.string("prepare.generic.columns.rating"), c.string("prepare.generic.columns.timestamp"),
          c.string("prepare.generic.columns.label")};
      itemCols = new String[] {c.string("prepare.generic.item-columns.item"), c.string("prepare.generic.item-columns.title"),
          c.string("prepare.generic.item-columns.categories")};
      if (!fileType.equals("csv") && !fileType.equals("parquet")) {
        throw new IllegalArgumentException("prepare.generic.file-type must be csv or parquet, got " + fileType);
      }
    }

    static Generic from(JobConfig c) {
      return new Generic(c);
    }

    @Override public Dataset<Row> lines(SparkSession spark, String path, String ignoredCharset, boolean itemTable) {
      String[] cols = itemTable ? itemCols : interactionCols;
      long firstLine = fileType.equals("csv") && header ? 2 : 1;
      Dataset<Row> all = null;
      for (String file : LineSource.listFiles(spark, path)) {
        Dataset<Row> df = fileType.equals("csv")
            ? spark.read().option("header", header).option("sep", separator).option("encoding", charset)
                .option("mode", "PERMISSIVE").csv(file)
            : spark.read().parquet(file);
        List<Column> picked = new ArrayList<>();
        for (String c : cols) {
          if (c.isEmpty()) {
            picked.add(functions.lit(""));
          } else if (!List.of(df.columns()).contains(c)) {
            throw new IllegalArgumentException(file + ": mapped column '" + c + "' not found; columns are "
                + String.join(", ", df.columns()));
          } else {
            picked.add(functions.coalesce(functions.col(c).cast("string"), functions.lit("")));
          }
        }
        JavaRDD<Row> rows = df.select(functions.concat_ws(US, picked.toArray(new Column[0]))).javaRDD()
            .zipWithIndex()
            .map((Tuple2<Row, Long> t) -> RowFactory.create(file, t._2() + firstLine, t._1().getString(0)));
        Dataset<Row> part = spark.createDataFrame(rows, LineSource.SCHEMA);
        all = all == null ? part : all.union(part);
      }
      return all;
    }

    @Override public String[] interaction(String line, long lineNo) throws Reject {
      String[] f = Csv.expect(line.split(US, -1), 5);
      f[3] = seconds(f[3]);
      return f;
    }

    private String seconds(String ts) throws Reject {
      if (ts.isEmpty()) {
        return ts;
      }
      try {
        return switch (timestampUnit) {
          case "seconds" -> ts;
          case "millis" -> Long.toString(Long.parseLong(ts.trim()) / 1000);
          case "iso8601" -> Long.toString(java.time.Instant.parse(ts.trim()).getEpochSecond());
          default -> throw new Reject("prepare.generic.timestamp-unit must be seconds, millis or iso8601");
        };
      } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
        throw new Reject("unparsable timestamp '" + ts + "'");
      }
    }

    @Override public String[] item(String line) throws Reject {
      return Csv.expect(line.split(US, -1), 3);
    }

    @Override public String interactionsPath(String dir) { return join(dir, interactions); }
    @Override public String itemsPath(String dir) { return join(dir, items); }
    @Override public boolean header() { return false; }
    @Override public String defaultCharset() { return charset; }
    @Override public double defaultLabelThreshold() { return threshold; }
  }
}
