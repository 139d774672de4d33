package io.dti.jobs.bench;

import io.dti.jobs.DtiCli;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.generate.GenerateJob;
import io.dti.jobs.pack.PackJob;
import io.dti.jobs.prepare.Canonical;
import io.dti.jobs.prepare.PrepareJob;
import io.dti.jobs.tokenize.TokenizerJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Pack throughput against a plain Spark read-and-write of the same interactions as Parquet,
 * measured in the same run, on the same session. Prints a table and writes bench-pack.json.
 */
public final class PackBenchmark {
  private PackBenchmark() {}

  record Step(String name, double seconds, long rows) {}

  public static List<Step> run(SparkSession spark, JobConfig conf, String input, long generate, String work) {
    List<Step> steps = new ArrayList<>();
    String raw = input;
    if (generate > 0) {
      raw = work + "/raw";
      long users = Math.max(1, generate / 100);
      JobConfig g = conf.with("generate.interactions=" + generate, "generate.users=" + users,
          "generate.items=" + Math.max(1000, Math.min(100_000, generate / 500)));
      long t = System.nanoTime();
      GenerateJob.run(spark, g, raw, true);
      steps.add(new Step("generate", secs(t), generate));
      conf = conf.with("prepare.format=movielens-csv");
    }
    long t = System.nanoTime();
    Map<String, Object> prep = PrepareJob.run(spark, conf, raw, work + "/prepared", true);
    long rows = ((Number) prep.get("interactions")).longValue();
    steps.add(new Step("prepare", secs(t), rows));
    t = System.nanoTime();
    TokenizerJob.run(spark, conf, work + "/prepared", work + "/tokenizer", true);
    steps.add(new Step("tokenizer", secs(t), rows));

    t = System.nanoTime();
    spark.read().parquet(work + "/prepared/" + Canonical.INTERACTIONS).write().mode("overwrite")
        .parquet(work + "/copy");
    steps.add(new Step("baseline: read + write interactions", secs(t), rows));
    t = System.nanoTime();
    PackJob.run(spark, conf, work + "/prepared", work + "/tokenizer", work + "/packed", true);
    steps.add(new Step("pack (SW + DTI)", secs(t), rows));
    t = System.nanoTime();
    PackJob.run(spark, conf.with("pack.write-sw=false"), work + "/prepared", work + "/tokenizer", work + "/packed-dti", true);
    steps.add(new Step("pack (DTI only)", secs(t), rows));
    return steps;
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  static String table(List<Step> steps) {
    double baseline = steps.stream().filter(s -> s.name().startsWith("baseline")).findFirst().orElseThrow().seconds();
    StringBuilder b = new StringBuilder();
    b.append(String.format("| %-36s | %9s | %12s | %12s | %14s |%n", "step", "seconds", "rows", "rows/s", "x baseline time"));
    b.append("|").append("-".repeat(38)).append("|").append("-".repeat(11)).append("|").append("-".repeat(14))
        .append("|").append("-".repeat(14)).append("|").append("-".repeat(16)).append("|\n");
    for (Step s : steps) {
      b.append(String.format("| %-36s | %9.1f | %12d | %12.0f | %14.2f |%n", s.name(), s.seconds(), s.rows(),
          s.rows() / s.seconds(), s.seconds() / baseline));
    }
    return b.toString();
  }

  @picocli.CommandLine.Command(name = "bench-pack", mixinStandardHelpOptions = true,
      description = "Benchmark pack against a plain Parquet read+write of the same interactions (same run).")
  public static final class Command extends DtiCli.JobCommand {
    @Option(names = "--input", description = "raw data directory (with --format or prepare.format)") String input;
    @Option(names = "--format", description = "input format of --input") String format;
    @Option(names = "--generate", description = "generate this many synthetic interactions instead of --input")
    long generate;
    @Option(names = "--work", required = true, description = "scratch directory for the outputs") String work;

    @Override protected JobConfig config() {
      JobConfig c = super.config();
      return format == null ? c : c.with("prepare.format=" + format);
    }

    @Override protected String name() {
      return "bench-pack";
    }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      if ((input == null) == (generate <= 0)) {
        throw new IllegalArgumentException("give exactly one of --input and --generate");
      }
      List<Step> steps = PackBenchmark.run(spark, conf, input, generate, work);
      String table = table(steps);
      System.out.println();
      System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", master: " + spark.sparkContext().master()
          + ", input: " + (input != null ? input : "generated " + generate));
      System.out.print(table);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("input", input != null ? input : "generated:" + generate);
      json.put("steps", steps);
      try {
        Files.writeString(Path.of(work, "bench-pack.json"), Json.write(json), StandardCharsets.UTF_8);
        Files.writeString(Path.of(work, "bench-pack.md"), table, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
