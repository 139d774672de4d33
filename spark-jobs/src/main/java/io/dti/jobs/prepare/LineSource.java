package io.dti.jobs.prepare;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Text input as (file, line number, text), decoded with the data set's charset, so that every
 * reject can name the file and 1-based line it came from. A path may be a file or a directory
 * of part files (hidden and {@code _} files skipped).
 */
public final class LineSource {
  private LineSource() {}

  public static final StructType SCHEMA = new StructType()
      .add("file", DataTypes.StringType, false)
      .add("line", DataTypes.LongType, false)
      .add("text", DataTypes.StringType, false);

  public static Dataset<Row> read(SparkSession spark, String path, String charset) {
    List<String> files = listFiles(spark, path);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> all = null;
    for (String file : files) {
      String cs = Charset.forName(charset).name();
      JavaRDD<Row> lines = sc.hadoopFile(file, TextInputFormat.class, LongWritable.class, Text.class)
          .map(kv -> decode(kv._2(), cs)) // decode at once: Hadoop reuses the Text object
          .zipWithIndex()
          .map((Tuple2<String, Long> t) -> RowFactory.create(file, t._2() + 1, t._1()));
      all = all == null ? lines : all.union(lines);
    }
    return spark.createDataFrame(all, SCHEMA);
  }

  private static String decode(Text t, String charset) {
    return new String(t.getBytes(), 0, t.getLength(), Charset.forName(charset));
  }

  /** The data files under path; fails at once, naming the path, when there are none. */
  public static List<String> listFiles(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("input path does not exist: " + path);
      }
      List<String> out = new ArrayList<>();
      FileStatus[] statuses = fs.getFileStatus(p).isDirectory() ? fs.listStatus(p) : new FileStatus[] {fs.getFileStatus(p)};
      Arrays.sort(statuses);
      long bytes = 0;
      for (FileStatus st : statuses) {
        String name = st.getPath().getName();
        if (st.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
          out.add(st.getPath().toString());
          bytes += st.getLen();
        }
      }
      if (out.isEmpty() || bytes == 0) {
        throw new IllegalArgumentException("input is empty: " + path);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + path + ": " + e.getMessage(), e);
    }
  }
}
