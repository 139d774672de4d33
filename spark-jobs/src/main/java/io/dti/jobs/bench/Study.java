package io.dti.jobs.bench;

import io.dti.data.PackedSample;
import io.dti.data.SampleSchema;
import io.dti.data.Vocabulary;
import io.dti.eval.BinaryMetrics;
import io.dti.eval.Evaluator;
import io.dti.eval.LeakageMeter;
import io.dti.eval.LineChart;
import io.dti.jobs.DtiCli;
import io.dti.jobs.common.JobConfig;
import io.dti.jobs.common.Json;
import io.dti.jobs.pack.PackJob;
import io.dti.jobs.train.TrainSettings;
import io.dti.model.ModelConfig;
import io.dti.model.Remedies;
import io.dti.train.TrainConfig;
import io.dti.train.TrainJob;
import io.dti.train.Trainer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The DTI reproduction study: a SW baseline and DTI at several k, each with no remedy, R1, R2,
 * the positional remedy, and all of them, over several seeds, in one run. Writes study.md
 * (mean and spread over seeds), study.json, auc_vs_k.png and speedup_vs_k.png.
 *
 * <p>"No remedy" means ALiBi with the real [BOS] distance (which grows along a stream); the
 * positional remedy fixes [BOS] at distance 0 from every query; R1 and R2 strengths come from
 * {@code --r1-lambda} and {@code --r2-decay}. Every model is scored on the same SW test prompts.
 */
public final class Study {
  private Study() {}

  record Run(String paradigm, int k, String remedy, long seed, double seconds, long targets, double auc,
      double logLoss, double leakageLast, double leakageMean) {}

  static ModelConfig remedy(ModelConfig base, String name, double lambda, double decay) {
    return switch (name) {
      case "none" -> base.withBosDistance(-1).withRemedies(Remedies.NONE);
      case "r1" -> base.withBosDistance(-1).withRemedies(new Remedies(lambda, false, 0));
      case "r2" -> base.withBosDistance(-1).withRemedies(new Remedies(0, false, decay));
      case "pos" -> base.withBosDistance(0).withRemedies(Remedies.NONE);
      case "all" -> base.withBosDistance(0).withRemedies(new Remedies(lambda, false, decay));
      default -> throw new IllegalArgumentException("unknown remedy set " + name + " (none, r1, r2, pos, all)");
    };
  }

  @picocli.CommandLine.Command(name = "study", mixinStandardHelpOptions = true,
      description = "SW against DTI at several k with each leakage / positional remedy, several seeds: table, JSON, PNG plots.")
  public static final class Command extends DtiCli.JobCommand {
    @Option(names = "--prepared", required = true, description = "output of prepare") String prepared;
    @Option(names = "--tokenizer", required = true, description = "output of tokenizer") String tokenizer;
    @Option(names = "--work", required = true, description = "directory for packs, runs and results") String work;
    @Option(names = "--ks", split = ",", defaultValue = "1,5,10,20,50", description = "targets per DTI sample") List<Integer> ks;
    @Option(names = "--remedies", split = ",", defaultValue = "none,r1,r2,pos,all", description = "remedy sets") List<String> remedies;
    @Option(names = "--seeds", defaultValue = "3", description = "seeds per configuration") int seeds;
    @Option(names = "--r1-lambda", defaultValue = "0.5", description = "R1 state reset strength") double lambda;
    @Option(names = "--r2-decay", defaultValue = "1.0", description = "R2 distance decay strength") double decay;
    @Option(names = "--leakage-streams", defaultValue = "300", description = "DTI test streams for the leakage meter") int leakStreams;

    @Override protected String name() {
      return "study";
    }

    @Override protected void run(SparkSession spark, JobConfig conf) {
      try {
        study(spark, conf);
      } catch (IOException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }

    private void study(SparkSession spark, JobConfig conf) throws IOException {
      Configuration hadoop = new Configuration();
      int n = conf.integer("pack.window");
      int vocab = Vocabulary.size(tokenizer + "/tokenizer.json", hadoop);
      ModelConfig base = TrainSettings.model(conf).withVocabSize(vocab);
      TrainConfig tc = TrainSettings.train(conf);
      int evalBatch = conf.integer("evaluate.batch-targets");
      String settings = String.format("n=%d lambda=%s decay=%s leakage-streams=%d model=%s train=%s", n, lambda, decay,
          leakStreams, base, tc);
      List<Run> runs = earlierRuns(settings);
      String swPack = work + "/packed-sw";
      PackJob.run(spark, conf.with("pack.write-dti=false"), prepared, tokenizer, swPack, true);
      for (int k : ks) {
        PackJob.run(spark, conf.with("pack.write-sw=false", "pack.targets=" + k), prepared, tokenizer,
            work + "/packed-k" + k, true);
      }
      List<PackedSample> test = TrainJob.read(swPack, SampleSchema.PARADIGM_SW, "test", vocab, hadoop);
      List<PackedSample> swTrain = TrainJob.read(swPack, SampleSchema.PARADIGM_SW, "train", vocab, hadoop);
      for (int seed = 0; seed < seeds; seed++) {
        ModelConfig seeded = seededModel(base, seed);
        TrainConfig seededTrain = seededTrain(tc, seed);
        if (!done(runs, "sw", 0, "-", seed)) {
          runs.add(train("sw", 0, "-", seed, seeded.withAttentionBlock(0), seededTrain, swTrain, test, null, evalBatch));
          writeResults(runs, n, settings);
        }
        for (int k : ks) {
          final int s = seed;
          List<String> todo = remedies.stream().filter(r -> !done(runs, "dti", k, r, s)).toList();
          if (todo.isEmpty()) {
            continue;
          }
          String pack = work + "/packed-k" + k;
          List<PackedSample> train = TrainJob.read(pack, SampleSchema.PARADIGM_DTI, "train", vocab, hadoop);
          List<PackedSample> streams = TrainJob.read(pack, SampleSchema.PARADIGM_DTI, "test", vocab, hadoop);
          streams = streams.subList(0, Math.min(leakStreams, streams.size()));
          for (String r : todo) {
            runs.add(train("dti", k, r, seed, remedy(seeded, r, lambda, decay), seededTrain, train, test, streams, evalBatch));
            writeResults(runs, n, settings);
          }
        }
      }
      writeResults(runs, n, settings);
    }

    /**
     * Runs already in {@code work/study.json} made with the same settings, so a study can be
     * extended with more seeds, ks or remedies without redoing what it has; none with --overwrite.
     */
    private List<Run> earlierRuns(String settings) throws IOException {
      Path json = Path.of(work, "study.json");
      List<Run> runs = new ArrayList<>();
      if (overwrite || !Files.exists(json)) {
        return runs;
      }
      com.fasterxml.jackson.databind.JsonNode tree = Json.tree(Files.readString(json, StandardCharsets.UTF_8));
      String earlier = tree.path("settings").asText("");
      if (!earlier.equals(settings)) {
        throw new IllegalStateException(json + " was made with other settings:\n  " + earlier + "\nthis run:\n  " + settings
            + "\nuse --overwrite to start again, or another --work");
      }
      for (com.fasterxml.jackson.databind.JsonNode r : tree.path("runs")) {
        runs.add(Json.mapper().treeToValue(r, Run.class));
      }
      System.err.printf("study: %d runs kept from %s%n", runs.size(), json);
      return runs;
    }

    private static boolean done(List<Run> runs, String paradigm, int k, String remedy, long seed) {
      return runs.stream().anyMatch(r -> r.paradigm().equals(paradigm) && r.k() == k && r.remedy().equals(remedy) && r.seed() == seed);
    }

    private static ModelConfig seededModel(ModelConfig m, int seed) {
      return new ModelConfig(m.vocabSize(), m.dim(), m.layers(), m.heads(), m.mlpHidden(), m.positions(), m.maxPositions(),
          m.ropeTheta(), m.bosDistance(), m.seed() + seed, m.attentionBlock(), m.remedies());
    }

    private static TrainConfig seededTrain(TrainConfig t, int seed) {
      return new TrainConfig(t.epochs(), t.batchTargets(), t.accumulation(), t.learningRate(), t.minLearningRateRatio(),
          t.warmupSteps(), t.weightDecay(), t.clipNorm(), t.seed() + seed, t.checkpointEvery(), t.logEvery());
    }

    private Run train(String paradigm, int k, String remedy, int seed, ModelConfig m, TrainConfig t,
        List<PackedSample> train, List<PackedSample> test, List<PackedSample> streams, int evalBatch) {
      System.err.printf("== %s k=%d remedy=%s seed=%d: %d samples%n", paradigm, k, remedy, seed, train.size());
      try (Trainer trainer = new Trainer(m, t)) {
        Trainer.Result r = trainer.fit(train, null, -1, line -> {});
        BinaryMetrics metrics = Evaluator.evaluate(trainer.model(), test, evalBatch, null);
        double last = Double.NaN;
        double mean = Double.NaN;
        if (streams != null) {
          LeakageMeter.Report leak = LeakageMeter.measure(trainer.model(), streams, evalBatch);
          last = leak.lastMean();
          mean = leak.overallMean();
        }
        System.err.printf("   %.1f s, AUC %.4f, LogLoss %.4f, leakage at last position %.4f%n", r.seconds(),
            metrics.auc(), metrics.logLoss(), last);
        return new Run(paradigm, k, remedy, seed, r.seconds(), r.targets(), metrics.auc(), metrics.logLoss(), last, mean);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void writeResults(List<Run> runs, int n, String settings) throws IOException {
      Path dir = Path.of(work);
      Files.createDirectories(dir);
      List<Run> sw = runs.stream().filter(r -> r.paradigm().equals("sw")).toList();
      double[] swAuc = sw.stream().mapToDouble(Run::auc).toArray();
      StringBuilder b = new StringBuilder();
      long seedCount = runs.stream().mapToLong(Run::seed).distinct().count();
      b.append(String.format("n = %d; %d seed(s); mean +- std over seeds; speed-up = SW train time / DTI train time (same seed)%n%n", n, seedCount));
      b.append("| run | k | remedy | train s | speed-up vs SW | k n / (n + k) | test AUC | test LogLoss | leakage, last position |\n");
      b.append("|---|---|---|---|---|---|---|---|---|\n");
      b.append(String.format("| SW | - | - | %s | 1.00 | - | %s | %s | - |%n", ms(sw.stream().mapToDouble(Run::seconds).toArray(), 1),
          ms(swAuc, 4), ms(sw.stream().mapToDouble(Run::logLoss).toArray(), 4)));
      Map<String, List<double[]>> aucByRemedy = new LinkedHashMap<>();
      Map<String, List<double[]>> speedByRemedy = new LinkedHashMap<>();
      List<Integer> allKs = runs.stream().filter(r -> r.paradigm().equals("dti")).map(Run::k).distinct().sorted().toList();
      List<String> allRemedies = new ArrayList<>(List.of("none", "r1", "r2", "pos", "all"));
      runs.stream().map(Run::remedy).filter(r -> !r.equals("-") && !allRemedies.contains(r)).distinct().forEach(allRemedies::add);
      for (int k : allKs) {
        for (String remedy : allRemedies) {
          List<Run> group = runs.stream().filter(r -> r.k() == k && r.remedy().equals(remedy)).toList();
          if (group.isEmpty()) {
            continue;
          }
          double[] speed = group.stream().mapToDouble(r -> swSeconds(sw, r.seed()) / r.seconds()).toArray();
          double[] auc = group.stream().mapToDouble(Run::auc).toArray();
          b.append(String.format("| DTI | %d | %s | %s | %s | %.2f | %s | %s | %s |%n", k, remedy,
              ms(group.stream().mapToDouble(Run::seconds).toArray(), 1), ms(speed, 2), (double) k * n / (n + k), ms(auc, 4),
              ms(group.stream().mapToDouble(Run::logLoss).toArray(), 4),
              ms(group.stream().mapToDouble(Run::leakageLast).toArray(), 4)));
          aucByRemedy.computeIfAbsent(remedy, x -> new ArrayList<>()).add(new double[] {k, mean(auc)});
          speedByRemedy.computeIfAbsent(remedy, x -> new ArrayList<>()).add(new double[] {k, mean(speed)});
        }
      }
      Files.writeString(dir.resolve("study.md"), b.toString(), StandardCharsets.UTF_8);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("settings", settings);
      json.put("window", n);
      json.put("r1_lambda", lambda);
      json.put("r2_decay", decay);
      json.put("runs", runs);
      Files.writeString(dir.resolve("study.json"), Json.write(json), StandardCharsets.UTF_8);
      LineChart auc = new LineChart("test AUC (SW prompts) against k, n = " + n, "k (targets per DTI sample)", "AUC");
      aucByRemedy.forEach((r, pts) -> auc.add(series("DTI " + r, pts)));
      if (swAuc.length > 0) {
        double m = mean(swAuc);
        double s = Math.max(std(swAuc), 1e-4);
        auc.band("SW mean +- std", m - s, m + s);
      }
      auc.write(new File(dir.resolve("auc_vs_k.png").toString()));
      LineChart speed = new LineChart("training speed-up over SW against k, n = " + n, "k", "speed-up");
      speedByRemedy.forEach((r, pts) -> speed.add(series("DTI " + r, pts)));
      double[] kx = allKs.stream().mapToDouble(Integer::doubleValue).toArray();
      double[] ideal = allKs.stream().mapToDouble(k -> (double) k * n / (n + k)).toArray();
      speed.add(new LineChart.Series("k n / (n + k)", kx, ideal));
      speed.write(new File(dir.resolve("speedup_vs_k.png").toString()));
    }

    private static LineChart.Series series(String name, List<double[]> pts) {
      return new LineChart.Series(name, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
    }

    private static double swSeconds(List<Run> sw, long seed) {
      return sw.stream().filter(r -> r.seed() == seed).mapToDouble(Run::seconds).findFirst().orElse(Double.NaN);
    }
  }

  static double mean(double[] v) {
    return java.util.Arrays.stream(v).average().orElse(Double.NaN);
  }

  static double std(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
  }

  /** "mean +- std" (just the mean for one seed). */
  static String ms(double[] v, int digits) {
    String f = "%." + digits + "f";
    return v.length < 2 ? String.format(f, mean(v)) : String.format(f + " +- " + f, mean(v), std(v));
  }
}
