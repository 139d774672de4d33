package io.dti.jobs.bench;

import io.dti.data.PackedSample;
import io.dti.data.SampleSchema;
import io.dti.data.Vocabulary;
import io.dti.eval.BinaryMetrics;
import io.dti.eval.Evaluator;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.train.TrainSettings;
import io.dti.model.ModelConfig;
import io.dti.train.MatmulPeak;
import io.dti.train.TrainConfig;
import io.dti.train.TrainJob;
import io.dti.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/**
 * SW against DTI in one run: the same model, the same targets, the same epochs and batch size
 * in targets; wall time, targets/s, tokens/s, model FLOP/s against the measured matmul peak,
 * and test AUC / LogLoss scored with SW prompts.
 */
public final class TrainBenchmark {
  private TrainBenchmark() {}

  record Row(String paradigm, String attention, int steps, double seconds, long targets, double targetsPerS,
      double tokensPerS, double gflops, double utilisation, double auc, double logLoss, long testTargets) {}

  @picocli.CommandLine.Command(name = "bench-train", mixinStandardHelpOptions = true,
      description = "Train SW and DTI side by side on one pack output; print time, throughput, utilisation, AUC, LogLoss.")
  public static final class Command extends io.dti.jobs.train.TrainCommands.PackedCommand {
    @Option(names = "--work", required = true, description = "directory for the runs and the table") String work;
    @Option(names = "--also-block", defaultValue = "-1",
        description = "also train DTI with this attention block (0 = dense, > 0 = banded) next to model.attention-block")
    int alsoBlock;
    @Option(names = "--user-fraction", defaultValue = "1.0",
        description = "train both paradigms on the targets of this fraction of users (chosen by a hash of the user id)")
    double userFraction;

    @Override public Integer call() throws Exception {
      JobConfig c = config();
      Configuration hadoop = new Configuration();
      TrainJob.requireComplete(packed, hadoop);
      int vocab = Vocabulary.size(tokenizerJson(), hadoop);
      ModelConfig mc = TrainSettings.model(c).withVocabSize(vocab);
      TrainConfig tc = TrainSettings.train(c);
      double peak = MatmulPeak.gflops(1024, 5);
      System.err.printf("matmul peak through DJL: %.1f GFLOP/s%n", peak);
      List<PackedSample> test = TrainJob.read(packed, SampleSchema.PARADIGM_SW, "test", vocab, hadoop);
      List<Row> rows = new ArrayList<>();
      List<Object[]> runs = new ArrayList<>();
      // SW prompts are plain causal: banded attention saves nothing there, so SW runs dense.
      runs.add(new Object[] {SampleSchema.PARADIGM_SW, mc.withAttentionBlock(0)});
      runs.add(new Object[] {SampleSchema.PARADIGM_DTI, mc});
      if (alsoBlock >= 0 && alsoBlock != mc.attentionBlock()) {
        runs.add(new Object[] {SampleSchema.PARADIGM_DTI, mc.withAttentionBlock(alsoBlock)});
      }
      for (Object[] run : runs) {
        String paradigm = (String) run[0];
        ModelConfig m = (ModelConfig) run[1];
        String attention = m.attentionBlock() > 0 ? "banded/" + m.attentionBlock() : "dense";
        List<PackedSample> train = TrainJob.read(packed, paradigm, "train", vocab, hadoop).stream()
            .filter(x -> keep(x.userId(), userFraction)).toList();
        Path out = Path.of(work, paradigm + "-" + attention.replace('/', '-'));
        deleteRecursively(out);
        System.err.println("== " + paradigm + " (" + attention + "): " + train.size() + " samples");
        try (Trainer t = new Trainer(m, tc)) {
          Trainer.Result r = t.fit(train, out, -1, System.err::println);
          BinaryMetrics metrics = Evaluator.evaluate(t.model(), test, c.integer("evaluate.batch-targets"), null);
          double gflops = r.flops() / r.seconds() / 1e9;
          rows.add(new Row(paradigm, attention, r.steps(), r.seconds(), r.targets(), r.targetsPerSecond(),
              r.tokensPerSecond(), gflops, gflops / peak, metrics.auc(), metrics.logLoss(), metrics.count()));
        }
      }
      String table = table(rows, peak);
      System.out.println();
      System.out.print(table);
      Files.createDirectories(Path.of(work));
      Files.writeString(Path.of(work, "bench-train.md"), table, StandardCharsets.UTF_8);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("packed", packed);
      json.put("matmul_peak_gflops", peak);
      json.put("model", mc);
      json.put("train", tc);
      json.put("runs", rows);
      Files.writeString(Path.of(work, "bench-train.json"), Json.write(json), StandardCharsets.UTF_8);
      return 0;
    }
  }

  /** Removes a local run directory left by an earlier benchmark (runs would otherwise resume from it). */
  static void deleteRecursively(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The same users for every paradigm: a fixed hash of the user id. */
  static boolean keep(String user, double fraction) {
    if (fraction >= 1.0) {
      return true;
    }
    long h = user.hashCode() * 0x9E3779B97F4A7C15L;
    return Math.floorMod(h >>> 11, 1_000_000L) < fraction * 1_000_000L;
  }

  static String table(List<Row> rows, double peak) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("matmul peak through DJL (1024^3 float32): %.1f GFLOP/s%n%n", peak));
    b.append("| paradigm | attention | steps | train s | targets | targets/s | tokens/s | model GFLOP/s | utilisation | speed-up vs SW | test AUC | test LogLoss |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    double sw = rows.get(0).seconds();
    for (Row r : rows) {
      b.append(String.format("| %s | %s | %d | %.1f | %d | %.0f | %.0f | %.2f | %.1f%% | %.2fx | %.4f | %.4f |%n",
          r.paradigm(), r.attention(), r.steps(), r.seconds(), r.targets(), r.targetsPerS(), r.tokensPerS(), r.gflops(),
          100 * r.utilisation(), sw / r.seconds(), r.auc(), r.logLoss()));
    }
    return b.toString();
  }
}
