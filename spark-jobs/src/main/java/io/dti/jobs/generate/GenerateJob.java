package io.dti.jobs.generate;

import io.dti.jobs.common.CommittedOutput;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.common.Progress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * generate: a seeded synthetic data set in the MovieLens "latest" CSV layout (ratings.csv,
 * movies.csv, each a directory of part files), so it goes through {@code prepare --format
 * movielens-csv} like real data. Users are generated in parallel, each from its own seed, so
 * the output is the same whatever the number of partitions.
 *
 * <p>Label model: score = 2.5 taste(t)·v + 2.5 r · mean_{last R} (±1 by label) v_recent · v + noise,
 * positive iff score > 0; the star rating is a monotone function of the score (>= 4 iff positive).
 */
public final class GenerateJob {
  private GenerateJob() {}

  static final StructType RATINGS = new StructType()
      .add("userId", DataTypes.LongType).add("movieId", DataTypes.IntegerType)
      .add("rating", DataTypes.DoubleType).add("timestamp", DataTypes.LongType);
  static final StructType MOVIES = new StructType()
      .add("movieId", DataTypes.IntegerType).add("title", DataTypes.StringType).add("genres", DataTypes.StringType);

  public static Map<String, Object> run(SparkSession spark, JobConfig conf, String output, boolean overwrite) {
    Progress progress = new Progress("generate");
    long users = conf.longValue("generate.users");
    int items = conf.integer("generate.items");
    long interactions = conf.longValue("generate.interactions");
    int factors = conf.integer("generate.factors");
    long seed = conf.longValue("generate.seed");
    double drift = conf.number("generate.drift");
    double recencyWeight = conf.number("generate.recency-weight");
    int recent = conf.integer("generate.recent");
    long start = conf.longValue("generate.start-timestamp");
    if (users < 1 || items < 1 || interactions < users) {
      throw new IllegalArgumentException("generate needs users >= 1, items >= 1 and interactions >= users");
    }
    CommittedOutput out = CommittedOutput.begin(output, overwrite, spark.sparkContext().hadoopConfiguration());
    progress.step("world: " + items + " items, " + factors + " factors");
    SyntheticWorld world = new SyntheticWorld(items, factors, seed);
    Broadcast<SyntheticWorld> bw = spark.sparkContext().broadcast(world, scala.reflect.ClassTag$.MODULE$.apply(SyntheticWorld.class));

    List<Row> movies = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      movies.add(RowFactory.create(i + 1, world.titles[i], world.genres[i]));
    }
    spark.createDataFrame(movies, MOVIES).coalesce(1).write().option("header", true).csv(out.path("movies.csv"));

    double mean = (double) interactions / users;
    int partitions = (int) Math.max(spark.sparkContext().defaultParallelism(), Math.min(10_000, interactions / 500_000 + 1));
    progress.step("ratings: " + users + " users, ~" + interactions + " interactions in " + partitions + " partitions");
    Dataset<Row> ratings = spark.range(0, users, 1, partitions).flatMap((FlatMapFunction<Long, Row>) u ->
        user(bw.value(), u, seed, mean, drift, recencyWeight, recent, start), Encoders.row(RATINGS));
    ratings.write().option("header", true).csv(out.path("ratings.csv"));

    Dataset<Row> written = spark.read().option("header", true).schema(RATINGS).csv(out.path("ratings.csv"));
    long rows = written.count();
    double positive = written.filter("rating >= 4").count() / (double) Math.max(1, rows);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "generate");
    summary.put("users", users);
    summary.put("items", items);
    summary.put("interactions", rows);
    summary.put("positive_rate", positive);
    summary.put("config", Json.tree(conf.json("generate")));
    out.commit(Json.write(summary));
    progress.step("done: " + rows + " interactions, positive rate " + String.format("%.3f", positive) + " -> " + output);
    return summary;
  }

  /** One user's whole history, from a seed of its own. */
  static Iterator<Row> user(SyntheticWorld w, long userIndex, long seed, double mean, double drift,
      double recencyWeight, int recent, long start) {
    Random rng = new Random(seed * 1_000_003L + userIndex * 7919L + 17);
    int m = (int) Math.max(5, Math.round(mean * Math.exp(rng.nextGaussian() * 0.8 - 0.32)));
    float[] taste = new float[w.factors];
    for (int f = 0; f < w.factors; f++) {
      taste[f] = (float) rng.nextGaussian();
    }
    SyntheticWorld.normalize(taste);
    Deque<float[]> last = new ArrayDeque<>();
    long ts = start + (long) (rng.nextDouble() * 730 * 86400);
    List<Row> rows = new ArrayList<>(m);
    for (int s = 0; s < m; s++) {
      for (int f = 0; f < w.factors; f++) {
        taste[f] += (float) (drift * rng.nextGaussian());
      }
      SyntheticWorld.normalize(taste);
      int item = w.sampleItem(rng);
      float[] v = w.itemVectors[item];
      double context = 0;
      for (float[] signedRecent : last) {
        context += SyntheticWorld.dot(signedRecent, v);
      }
      context = last.isEmpty() ? 0 : context / last.size();
      double score = 2.5 * SyntheticWorld.dot(taste, v) + 2.5 * recencyWeight * context + 0.5 * rng.nextGaussian();
      double rating = score > 1.0 ? 5 : score > 0 ? 4 : score > -1.0 ? 3 : score > -2.0 ? 2 : 1;
      ts += 60 + (long) (-Math.log(1 - rng.nextDouble()) * 86400);
      rows.add(RowFactory.create(userIndex + 1, item + 1, rating, ts));
      float sign = score > 0 ? 1f : -1f;
      float[] signed = new float[v.length];
      for (int f = 0; f < v.length; f++) {
        signed[f] = sign * v[f];
      }
      last.addLast(signed);
      if (last.size() > recent) {
        last.removeFirst();
      }
    }
    return rows.iterator();
  }
}
