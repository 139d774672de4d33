package io.dti.jobs.bench;

import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.common.Sparks;
import io.dti.jobs.dist.DistributedTrain;
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
 * Distributed training throughput: the same run on 1, 2, 4 ... ranks in one Spark session
 * (by default a local cluster with one executor JVM per rank), the same fixed data shards so
 * every run takes the same global batches; targets/s, and per step the all-reduce time
 * against the compute time. Then a paper estimate of ring all-reduce against compute for a
 * large model on many GPUs (every input a flag, the formulas printed).
 */
public final class DistBenchmark {
  private DistBenchmark() {}

  record Row(int ranks, int steps, double seconds, double targetsPerS, double commMsPerStep, double computeMsPerStep,
      double commShare, double auc) {}

  @picocli.CommandLine.Command(name = "bench-dist", mixinStandardHelpOptions = true,
      description = "Distributed training on 1, 2, 4 ranks side by side: targets/s, all-reduce vs compute per step, AUC; plus a 64-GPU estimate.")
  public static final class Command extends io.dti.jobs.train.TrainCommands.PackedCommand {
    @Option(names = "--work", required = true, description = "directory for the runs and the table") String work;
    @Option(names = "--ranks", split = ",", defaultValue = "1,2,4", description = "rank counts to run") List<Integer> ranks;
    @Option(names = "--paradigm", defaultValue = "dti", description = "sw or dti") String paradigm;
    @Option(names = "--executor-memory-mb", defaultValue = "2048", description = "per executor of the default local cluster")
    int executorMemory;
    @Option(names = "--params", defaultValue = "1e9", description = "estimate: model parameters") double params;
    @Option(names = "--gpus", defaultValue = "64", description = "estimate: GPUs (ranks)") int gpus;
    @Option(names = "--link-gbit", defaultValue = "100", description = "estimate: per-GPU network bandwidth, Gbit/s") double linkGbit;
    @Option(names = "--tokens-per-gpu", defaultValue = "32768", description = "estimate: tokens per GPU per step") double tokensPerGpu;
    @Option(names = "--gpu-tflops", defaultValue = "400", description = "estimate: peak bf16 TFLOP/s per GPU") double gpuTflops;
    @Option(names = "--mfu", defaultValue = "0.4", description = "estimate: model FLOPs utilisation") double mfu;

    @Override public Integer call() throws Exception {
      int most = ranks.stream().mapToInt(Integer::intValue).max().orElse(1);
      JobConfig c = config();
      if (System.getProperty("spark.master") == null && c.string("spark.master").startsWith("local[")) {
        // one executor JVM per rank, as on a cluster (local[*] would make the ranks threads of one JVM)
        c = c.with("spark.master=\"local-cluster[" + most + ",1," + executorMemory + "]\"");
      }
      int shards = c.integer("dist.data-shards") > 0 ? c.integer("dist.data-shards") : most;
      c = c.with("dist.data-shards=" + shards, "dist.replicas-per-rank=1");
      List<Row> rows = new ArrayList<>();
      SparkSession spark = Sparks.session(c, "bench-dist");
      try {
        for (int r : ranks) {
          String out = work + "/ranks-" + r;
          TrainBenchmark.deleteRecursively(Path.of(out));
          System.err.println("== " + r + " rank(s), " + shards + " data shards");
          Map<String, Object> res = DistributedTrain.run(spark, c.with("dist.ranks=" + r), packed, tokenizerJson(), paradigm, out);
          int steps = ((Number) res.get("steps")).intValue();
          double seconds = ((Number) res.get("train_seconds")).doubleValue();
          double comm = ((Number) res.get("comm_seconds")).doubleValue();
          rows.add(new Row(r, steps, seconds, ((Number) res.get("targets_per_s")).doubleValue(), 1000 * comm / steps,
              1000 * (seconds - comm) / steps, comm / seconds, ((Number) res.get("test_auc")).doubleValue()));
        }
      } finally {
        spark.stop();
      }
      long modelParams = modelParameters(work + "/ranks-" + ranks.get(0));
      StringBuilder b = new StringBuilder();
      b.append(String.format("master %s; %s; %d data shards (the same global batches in every row); model %,d parameters, "
          + "%.2f MB of float32 gradients per all-reduce%n%n", spark.sparkContext().master(), paradigm, shards, modelParams,
          modelParams * 4 / 1e6));
      b.append("| ranks | steps | train s | targets/s | speed-up vs first row | all-reduce ms/step | compute ms/step | all-reduce share | test AUC |\n");
      b.append("|---|---|---|---|---|---|---|---|---|\n");
      for (Row r : rows) {
        b.append(String.format("| %d | %d | %.1f | %.0f | %.2fx | %.1f | %.1f | %.1f%% | %.4f |%n", r.ranks(), r.steps(), r.seconds(),
            r.targetsPerS(), r.targetsPerS() / rows.get(0).targetsPerS(), r.commMsPerStep(), r.computeMsPerStep(),
            100 * r.commShare(), r.auc()));
      }
      b.append('\n').append(estimate());
      System.out.println();
      System.out.print(b);
      Files.createDirectories(Path.of(work));
      Files.writeString(Path.of(work, "bench-dist.md"), b.toString(), StandardCharsets.UTF_8);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("packed", packed);
      json.put("data_shards", shards);
      json.put("runs", rows);
      Files.writeString(Path.of(work, "bench-dist.json"), Json.write(json), StandardCharsets.UTF_8);
      return 0;
    }

    /** Ring all-reduce time against compute time per step, from first principles. */
    String estimate() {
      double gradBytes = params * 4; // float32 gradients, as this trainer sends them
      double sentPerGpu = 2.0 * (gpus - 1) / gpus * gradBytes;
      double commS = sentPerGpu / (linkGbit * 1e9 / 8);
      double flops = 6 * params * tokensPerGpu;
      double computeS = flops / (gpuTflops * 1e12 * mfu);
      return String.format("""
          Estimate for %,.0f parameters on %d GPUs (ring all-reduce, %.0f Gbit/s per GPU):
          - gradient bytes per step: 4 B x %,.0f = %.2f GB (float32); each GPU sends and receives 2 (p - 1) / p of it = %.2f GB
          - all-reduce time: %.2f GB / %.1f GB/s = %.3f s per step (bf16 gradients: %.3f s)
          - compute per GPU per step: 6 x params x %,.0f tokens = %.3g FLOP at %.0f TFLOP/s x %.0f%% MFU = %.3f s
          - without overlap: step %.3f s, all-reduce share %.0f%%; with buckets overlapping backward the all-reduce hides
            behind compute when it is shorter (%.3f s vs %.3f s).
          This trainer sums gradients on the host and does not yet overlap; at this scale use bf16 buckets on NCCL.
          """, params, gpus, linkGbit, params, gradBytes / 1e9, sentPerGpu / 1e9, sentPerGpu / 1e9, linkGbit / 8, commS,
          commS / 2, tokensPerGpu, flops, gpuTflops, 100 * mfu, computeS, commS + computeS, 100 * commS / (commS + computeS),
          commS, computeS);
    }
  }

  private static long modelParameters(String run) throws java.io.IOException {
    io.dti.model.ModelConfig mc = io.dti.train.TrainJob.modelConfig(run);
    try (io.dti.train.Trainer t = new io.dti.train.Trainer(mc, io.dti.train.TrainConfig.defaults())) {
      return t.model().params().count();
    }
  }
}
