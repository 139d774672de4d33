package io.dti.jobs;

import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Sparks;
import io.dti.jobs.generate.GenerateJob;
import io.dti.jobs.pack.PackJob;
import io.dti.jobs.prepare.PrepareJob;
import io.dti.jobs.tokenize.TokenizerJob;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code dti} command line: one subcommand per job. Run with --help for the list. */
@Command(name = "dti", mixinStandardHelpOptions = true, version = "dti 0.1.0",
    description = "DTI CTR: prepare data, build the tokenizer, pack SW and DTI samples, train and evaluate.",
    subcommands = {DtiCli.Generate.class, DtiCli.Prepare.class, DtiCli.Tokenizer.class, DtiCli.Pack.class,
        io.dti.jobs.train.TrainCommands.Train.class, io.dti.jobs.train.TrainCommands.Evaluate.class,
        io.dti.jobs.train.TrainCommands.Leakage.class,
        io.dti.jobs.bench.PackBenchmark.Command.class, io.dti.jobs.bench.TrainBenchmark.Command.class,
        io.dti.jobs.bench.Study.Command.class, io.dti.jobs.bench.DistBenchmark.Command.class})
public final class DtiCli {

  /** Options every command takes: config files and overrides. */
  public abstract static class ConfigCommand implements Callable<Integer> {
    @Option(names = "--conf", description = "HOCON config file(s) layered over the defaults, in order")
    List<File> confFiles = new ArrayList<>();

    @Option(names = "--set", description = "key=value override (e.g. --set pack.targets=50), after --conf files")
    List<String> overrides = new ArrayList<>();

    protected JobConfig config() {
      return JobConfig.load(confFiles, overrides);
    }
  }

  /** A Spark job: config, overwrite, and a session around {@link #run}. */
  public abstract static class JobCommand extends ConfigCommand {
    @Option(names = "--overwrite", description = "replace an existing output directory")
    protected boolean overwrite;

    @Override
    public Integer call() {
      JobConfig conf = config();
      SparkSession spark = Sparks.session(conf, name());
      try {
        run(spark, conf);
        return 0;
      } finally {
        spark.stop();
      }
    }

    protected abstract String name();

    protected abstract void run(SparkSession spark, JobConfig conf);
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Write a synthetic data set (MovieLens-CSV layout) with drifting tastes and sequential signal.")
  static final class Generate extends JobCommand {
    @Option(names = "--output", required = true, description = "output directory") String output;

    @Override protected String name() { return "generate"; }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      GenerateJob.run(spark, conf, output, overwrite);
    }
  }

  @Command(name = "prepare", mixinStandardHelpOptions = true,
      description = "Raw interactions + item metadata -> canonical interactions, items, rejected (Parquet).")
  static final class Prepare extends JobCommand {
    @Option(names = "--input", required = true, description = "raw data directory") String input;
    @Option(names = "--output", required = true, description = "output directory") String output;
    @Option(names = "--format", description = "input format (overrides prepare.format)") String format;

    @Override protected JobConfig config() {
      JobConfig c = super.config();
      return format == null ? c : c.with("prepare.format=" + format);
    }

    @Override protected String name() { return "prepare"; }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      PrepareJob.run(spark, conf, input, output, overwrite);
    }
  }

  @Command(name = "tokenizer", mixinStandardHelpOptions = true,
      description = "Build the vocabulary with Spark MLlib; write tokenizer.json and item_tokens.")
  static final class Tokenizer extends JobCommand {
    @Option(names = "--prepared", required = true, description = "output of prepare") String prepared;
    @Option(names = "--output", required = true, description = "output directory") String output;

    @Override protected String name() { return "tokenizer"; }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      TokenizerJob.run(spark, conf, prepared, output, overwrite);
    }
  }

  @Command(name = "pack", mixinStandardHelpOptions = true,
      description = "Group user histories and write SW prompts and DTI streams (Parquet, sample schema v"
          + io.dti.data.SampleSchema.VERSION + ").")
  static final class Pack extends JobCommand {
    @Option(names = "--prepared", required = true, description = "output of prepare") String prepared;
    @Option(names = "--tokenizer", required = true, description = "output of tokenizer") String tokenizer;
    @Option(names = "--output", required = true, description = "output directory") String output;

    @Override protected String name() { return "pack"; }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      PackJob.run(spark, conf, prepared, tokenizer, output, overwrite);
    }
  }

  public static void main(String[] args) {
    int code = new CommandLine(new DtiCli())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("dti " + cmd.getCommandName() + " failed: " + e.getMessage());
          if (System.getenv("DTI_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
          }
          return 1;
        })
        .execute(args);
    System.exit(code);
  }
}
