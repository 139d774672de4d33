package io.dti.jobs.train;

import io.dti.jobs.DtiCli;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.train.TrainJob;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** train and evaluate: DJL on the pack output, no Spark session (the trainer runs standalone). */
public final class TrainCommands {
  private TrainCommands() {}

  /** Commands that read a pack output and its tokenizer. */
  public abstract static class PackedCommand extends DtiCli.ConfigCommand {
    @Option(names = "--packed", required = true, description = "output of pack") protected String packed;
    @Option(names = "--tokenizer", required = true, description = "output of tokenizer") protected String tokenizer;

    protected String tokenizerJson() {
      return tokenizer + "/tokenizer.json";
    }
  }

  /** ... and a trained model. */
  public abstract static class ModelCommand extends PackedCommand {
    @Option(names = "--model", required = true, description = "output directory of train") protected String model;
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train the CTR transformer on <packed>/<paradigm>/train (in this JVM, or with --ranks N as a Spark barrier stage); score <packed>/sw/test; write checkpoints, metrics.jsonl, loss.png, eval.json.")
  public static final class Train extends PackedCommand {
    @Option(names = "--output", required = true, description = "run directory (resumes from its newest checkpoint)") String output;
    @Option(names = "--paradigm", description = "sw or dti (overrides train.paradigm)") String paradigm;
    @Option(names = "--ranks", description = "train as a Spark barrier stage of this many ranks (overrides dist.ranks; 0 = in this JVM)")
    Integer ranks;

    @Override public Integer call() throws Exception {
      JobConfig c = ranks == null ? config() : config().with("dist.ranks=" + ranks);
      String p = paradigm != null ? paradigm : c.string("train.paradigm");
      if (c.integer("dist.ranks") > 0) {
        org.apache.spark.sql.SparkSession spark = io.dti.jobs.common.Sparks.session(c, "train");
        try {
          System.out.println(Json.write(io.dti.jobs.dist.DistributedTrain.run(spark, c, packed, tokenizerJson(), p, output)));
        } finally {
          spark.stop();
        }
        return 0;
      }
      Map<String, Object> r = TrainJob.train(packed, tokenizerJson(), p, TrainSettings.model(c),
          TrainSettings.train(c), output, c.integer("evaluate.batch-targets"), c.integer("train.probe-every"),
          c.integer("train.probe-samples"), System.err::println);
      System.out.println(Json.write(r));
      return 0;
    }
  }

  @Command(name = "leakage", mixinStandardHelpOptions = true,
      description = "Leakage meter: score each DTI target in its stream and in its exact SW prompt; |logit difference| by position, AUC each way.")
  public static final class Leakage extends ModelCommand {
    @Option(names = "--split", defaultValue = "test", description = "split of DTI streams to measure (default test)") String split;
    @Option(names = "--json", description = "also write the report as JSON here") Path json;

    @Override public Integer call() throws Exception {
      JobConfig c = config();
      io.dti.eval.LeakageMeter.Report r = TrainJob.leakage(packed, tokenizerJson(), model, split,
          c.integer("evaluate.batch-targets"));
      System.out.print(r.table());
      if (json != null) {
        java.nio.file.Files.writeString(json, Json.write(r.toMap()));
      }
      return 0;
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Score a split with a trained model: AUC and LogLoss (SW prompts by default, as serving sees them).")
  public static final class Evaluate extends ModelCommand {
    @Option(names = "--paradigm", defaultValue = "sw", description = "score sw prompts (default) or dti streams") String paradigm;
    @Option(names = "--split", defaultValue = "test", description = "split to score (default test)") String split;
    @Option(names = "--scores", description = "also write per-target scores to this CSV") Path scores;

    @Override public Integer call() throws Exception {
      JobConfig c = config();
      Map<String, Object> r = TrainJob.evaluate(packed, tokenizerJson(), model, paradigm, split,
          c.integer("evaluate.batch-targets"), scores);
      System.out.println(Json.write(r));
      return 0;
    }
  }
}
