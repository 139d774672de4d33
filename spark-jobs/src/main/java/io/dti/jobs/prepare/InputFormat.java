package io.dti.jobs.prepare;

import io.dti.jobs.common.JobConfig;
import java.io.Serializable;

/**
 * One raw data set layout. It names its two inputs under the input directory and pulls string
 * fields out of a line; {@link RecordParser} does the typing and checks shared by all formats.
 */
public interface InputFormat extends Serializable {
  /** Fields of one interaction: user, item, rating ("" if none), timestamp in seconds ("" if none), label ("" if none). */
  String[] interaction(String line, long lineNo) throws Reject;

  /** Fields of one item: id, title, categories (space-separated words). */
  String[] item(String line) throws Reject;

  String interactionsPath(String inputDir);

  /** The (file, line, text) rows of one input; text formats read lines, others override. */
  default org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> lines(
      org.apache.spark.sql.SparkSession spark, String path, String charset, boolean itemTable) {
    return LineSource.read(spark, path, charset);
  }

  String itemsPath(String inputDir);

  /** Whether the first line of each file is a header. */
  boolean header();

  String defaultCharset();

  /** rating >= threshold is a positive label, unless the data carries labels. */
  double defaultLabelThreshold();

  /** Ratings that mean "no explicit rating" (BookCrossing's 0), filtered out with a count. */
  default boolean isImplicit(double rating) {
    return false;
  }

  static InputFormat named(String name, JobConfig conf) {
    return switch (name) {
      case "movielens-100k" -> new Formats.MovieLens100k();
      case "movielens-dat" -> new Formats.MovieLensDat();
      case "movielens-csv" -> new Formats.MovieLensCsv();
      case "amazon" -> new Formats.Amazon(conf.string("prepare.amazon.reviews"), conf.string("prepare.amazon.meta"));
      case "bookcrossing" -> new Formats.BookCrossing(conf.flag("prepare.bookcrossing.keep-implicit"));
      case "generic" -> Formats.Generic.from(conf);
      default -> throw new IllegalArgumentException("unknown input format '" + name
          + "' (movielens-100k, movielens-dat, movielens-csv, amazon, bookcrossing, generic)");
    };
  }
}
