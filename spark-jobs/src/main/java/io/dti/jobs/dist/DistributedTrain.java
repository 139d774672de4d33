package io.dti.jobs.dist;

import io.dti.data.SampleSchema;
import io.dti.data.Vocabulary;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.train.TrainSettings;
import io.dti.model.ModelConfig;
import io.dti.train.RunDir;
import io.dti.train.TrainConfig;
import io.dti.train.TrainJob;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * {@code train} on a cluster: one Spark barrier stage, one task per rank ({@link RankTask}),
 * each reading its own shards of the pack output and training a DJL replica per device, with
 * a ring all-reduce of the gradients every step. No shuffle feeds the loop.
 *
 * <p>Failure: Spark aborts a barrier result stage when one of its tasks fails (it cannot retry
 * part of it), so the driver runs the stage again, up to {@code dist.max-attempts} times; each
 * attempt resumes from the newest checkpoint rank 0 wrote. Then the driver scores the SW test
 * prompts with the final weights and writes {@code eval.json}.
 */
public final class DistributedTrain {
  private DistributedTrain() {}

  /** The {@code dist.*} keys. */
  public record Settings(int ranks, int replicasPerRank, int dataShards, int timeoutSeconds, int bucketMib, int maxAttempts,
      String crashAt) implements Serializable {
    static Settings of(JobConfig c) {
      Settings s = new Settings(c.integer("dist.ranks"), c.integer("dist.replicas-per-rank"), c.integer("dist.data-shards"),
          c.integer("dist.timeout-seconds"), c.integer("dist.bucket-mib"), c.integer("dist.max-attempts"), c.string("dist.crash-at"));
      if (s.ranks < 1) {
        throw new IllegalArgumentException("dist.ranks must be >= 1 for distributed training, got " + s.ranks);
      }
      if (s.maxAttempts < 1) {
        throw new IllegalArgumentException("dist.max-attempts must be >= 1, got " + s.maxAttempts);
      }
      return s;
    }
  }

  public static Map<String, Object> run(SparkSession spark, JobConfig conf, String packed, String tokenizerJson,
      String paradigm, String output) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    // executors run elsewhere, in other directories: relative paths would mean something else there
    packed = qualified(packed, hadoop);
    output = qualified(output, hadoop);
    tokenizerJson = qualified(tokenizerJson, hadoop);
    TrainJob.requireComplete(packed, hadoop);
    int vocab = Vocabulary.size(tokenizerJson, hadoop);
    ModelConfig model = TrainJob.modelFor(TrainSettings.model(conf), vocab, paradigm);
    TrainConfig train = TrainSettings.train(conf);
    Settings s = Settings.of(conf);
    Map<String, String> hadoopConf = new HashMap<>();
    hadoop.forEach(e -> hadoopConf.put(e.getKey(), e.getValue()));
    RankTask task = new RankTask(packed + "/" + paradigm + "/train", vocab, model, train, s, output, hadoopConf);
    System.err.printf("distributed training: %d ranks, %s replicas per rank, output %s%n", s.ranks(),
        s.replicasPerRank() == 0 ? "one per GPU (or 1 on CPU)" : String.valueOf(s.replicasPerRank()), output);
    List<Map<String, Object>> ranks = null;
    int attempt = 1;
    long t0 = System.nanoTime();
    try (Progress progress = new Progress(new RunDir(output, hadoop))) {
      for (; ; attempt++) {
        try {
          ranks = runStage(spark, task, s.ranks());
          break;
        } catch (Exception e) { // SparkException is checked, but Scala throws it from collect() undeclared
          String why = rootMessage(e);
          if (attempt >= s.maxAttempts()) {
            throw new IllegalStateException(String.format(
                "distributed training failed in all %d attempts (dist.max-attempts); last error: %s. Checkpoints are in %s: "
                    + "rerun the same command to resume", s.maxAttempts(), why, output), e);
          }
          System.err.printf("attempt %d of %d failed: %s%nretrying the whole stage from the newest checkpoint%n", attempt,
              s.maxAttempts(), why);
        }
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> rank0 = ranks.get(0);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("paradigm", paradigm);
    out.put("ranks", s.ranks());
    out.put("replicas_per_rank", rank0.get("replicas"));
    out.put("data_shards", rank0.get("data_shards"));
    out.put("attempts", attempt);
    out.put("steps", rank0.get("steps"));
    out.put("train_seconds", ranks.stream().mapToDouble(r -> ((Number) r.get("seconds")).doubleValue()).max().orElse(0));
    out.put("comm_seconds", ranks.stream().mapToDouble(r -> ((Number) r.get("comm_seconds")).doubleValue()).max().orElse(0));
    out.put("wall_seconds", wall);
    out.put("train_targets", rank0.get("targets"));
    out.put("targets_per_s", ((Number) rank0.get("targets")).doubleValue() / ((Number) out.get("train_seconds")).doubleValue());
    out.put("final_loss", rank0.get("last_loss"));
    out.put("per_rank", ranks);
    Map<String, Object> test = TrainJob.evaluate(packed, tokenizerJson, output, SampleSchema.PARADIGM_SW, "test",
        conf.integer("evaluate.batch-targets"), null);
    out.put("test_targets", test.get("targets"));
    out.put("test_auc", test.get("auc"));
    out.put("test_logloss", test.get("logloss"));
    new RunDir(output, hadoop).write("eval.json", Json.write(out));
    System.err.printf("test (SW prompts): AUC %.4f  LogLoss %.4f over %s targets%n", (Double) test.get("auc"),
        (Double) test.get("logloss"), test.get("targets"));
    return out;
  }

  /** One barrier stage of {@code ranks} tasks; returns each rank's summary, by rank. */
  static List<Map<String, Object>> runStage(SparkSession spark, RankTask task, int ranks) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = IntStream.range(0, ranks).boxed().toList();
    ClassTag<String> tag = ClassTag$.MODULE$.apply(String.class);
    RDD<String> stage = jsc.parallelize(ids, ranks).rdd().barrier().mapPartitions(task, false, tag);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String json : stage.toJavaRDD().collect()) {
      out.add(Json.mapper().convertValue(Json.tree(json), Map.class));
    }
    out.sort(java.util.Comparator.comparingInt(m -> ((Number) m.get("rank")).intValue()));
    return out;
  }

  static String qualified(String path, Configuration hadoop) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    return p.getFileSystem(hadoop).makeQualified(p).toString();
  }

  private static String rootMessage(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse(m);
  }

  /** Prints rank 0's newest metrics line every 15 s while the stage runs (its log lives on an executor). */
  private static final class Progress implements AutoCloseable {
    private final Thread thread;

    Progress(RunDir dir) {
      thread = new Thread(() -> {
        String last = "";
        try {
          while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(15_000);
            String line = dir.lastLine("metrics.jsonl");
            if (line != null && !line.equals(last)) {
              last = line;
              var m = Json.tree(line);
              System.err.printf("[driver] step %d  loss %.4f  %.0f targets/s  comm %.1f s of %.1f s%n", m.path("step").asInt(),
                  m.path("loss").asDouble(), m.path("targets_per_s").asDouble(), m.path("comm_s").asDouble(),
                  m.path("elapsed_s").asDouble());
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
          System.err.println("[driver] progress unavailable: " + e.getMessage());
        }
      }, "dti-dist-progress");
      thread.setDaemon(true);
      thread.start();
    }

    @Override public void close() {
      thread.interrupt();
    }
  }
}
