package io.dti.train;

import io.dti.data.PackedSample;
import io.dti.data.SampleReader;
import io.dti.data.SampleSchema;
import io.dti.data.Vocabulary;
import io.dti.eval.BinaryMetrics;
import io.dti.eval.Evaluator;
import io.dti.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/**
 * train and evaluate as whole runs: read the pack output, train on one paradigm's train split,
 * score the test split with SW prompts (what serving sees), write {@code eval.json}.
 */
public final class TrainJob {
  private TrainJob() {}

  public static void requireComplete(String dir, Configuration hadoop) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir, SampleSchema.COMMIT_MARKER);
      if (!p.getFileSystem(hadoop).exists(p)) {
        throw new IllegalArgumentException(dir + " is not a complete pack output (no " + SampleSchema.COMMIT_MARKER + ")");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }

  public static List<PackedSample> read(String packed, String paradigm, String split, int vocab, Configuration hadoop) {
    return new SampleReader(hadoop, vocab).read(packed + "/" + paradigm + "/" + split, 0, 1);
  }

  public static Map<String, Object> train(String packed, String tokenizerJson, String paradigm, ModelConfig model,
      TrainConfig train, String output, int evalBatchTargets, Consumer<String> log) throws IOException {
    return train(packed, tokenizerJson, paradigm, model, train, output, evalBatchTargets, 0, 0, log);
  }

  /** With {@code probeEvery > 0}, DTI runs log the leakage meter on {@code probeSamples} valid DTI streams. */
  public static Map<String, Object> train(String packed, String tokenizerJson, String paradigm, ModelConfig model,
      TrainConfig train, String output, int evalBatchTargets, int probeEvery, int probeSamples, Consumer<String> log)
      throws IOException {
    Configuration hadoop = new Configuration();
    requireComplete(packed, hadoop);
    int vocab = Vocabulary.size(tokenizerJson, hadoop);
    ModelConfig mc = modelFor(model, vocab, paradigm);
    List<PackedSample> samples = read(packed, paradigm, "train", vocab, hadoop);
    long targets = samples.stream().mapToLong(PackedSample::numTargets).sum();
    log.accept("training " + paradigm + " on " + samples.size() + " samples, " + targets + " targets");
    Map<String, Object> out = new LinkedHashMap<>();
    try (Trainer trainer = new Trainer(mc, train)) {
      log.accept("model: " + trainer.model().params().count() + " parameters");
      if (probeEvery > 0 && SampleSchema.PARADIGM_DTI.equals(paradigm)) {
        List<PackedSample> valid = read(packed, SampleSchema.PARADIGM_DTI, "valid", vocab, hadoop);
        trainer.probe(valid.subList(0, Math.min(probeSamples, valid.size())), probeEvery);
      }
      Trainer.Result r = trainer.fit(DataShards.whole(samples), output, -1, log);
      out.put("paradigm", paradigm);
      out.put("parameters", trainer.model().params().count());
      out.put("steps", r.steps());
      out.put("train_seconds", r.seconds());
      out.put("train_targets", r.targets());
      out.put("targets_per_s", r.targetsPerSecond());
      out.put("tokens_per_s", r.tokensPerSecond());
      out.put("final_loss", r.lastLoss());
      List<PackedSample> test = read(packed, SampleSchema.PARADIGM_SW, "test", vocab, hadoop);
      BinaryMetrics m = Evaluator.evaluate(trainer.model(), test, evalBatchTargets, null);
      out.put("test_targets", m.count());
      out.put("test_auc", m.auc());
      out.put("test_logloss", m.logLoss());
      new RunDir(output, hadoop).write("eval.json", Trainer.GSON.toJson(out));
      log.accept(String.format("test (SW prompts): AUC %.4f  LogLoss %.4f  over %d targets", m.auc(), m.logLoss(), m.count()));
    }
    return out;
  }

  /** The configured model with the tokenizer's vocabulary; SW prompts are plain causal, so banded attention saves nothing there. */
  public static ModelConfig modelFor(ModelConfig model, int vocab, String paradigm) {
    return model.withVocabSize(vocab).withAttentionBlock(SampleSchema.PARADIGM_SW.equals(paradigm) ? 0 : model.attentionBlock());
  }

  /** The model config of a train output directory's newest checkpoint (any Hadoop path). */
  public static ModelConfig modelConfig(String trainOutput) throws IOException {
    RunDir dir = new RunDir(trainOutput, new Configuration());
    int step = dir.newestCheckpoint();
    if (step == 0) {
      throw new IllegalArgumentException(trainOutput + " holds no complete checkpoint (checkpoints/step-N/state.json)");
    }
    Map<?, ?> state = Trainer.GSON.fromJson(dir.read(RunDir.checkpointName(step) + "/" + RunDir.STATE), Map.class);
    return Trainer.GSON.fromJson(Trainer.GSON.toJson(state.get("model")), ModelConfig.class);
  }

  public static io.dti.eval.LeakageMeter.Report leakage(String packed, String tokenizerJson, String modelDir, String split,
      int batchTargets) throws IOException {
    Configuration hadoop = new Configuration();
    requireComplete(packed, hadoop);
    int vocab = Vocabulary.size(tokenizerJson, hadoop);
    ModelConfig mc = modelConfig(modelDir);
    List<PackedSample> streams = read(packed, SampleSchema.PARADIGM_DTI, split, vocab, hadoop);
    try (Trainer t = new Trainer(mc, TrainConfig.defaults())) {
      t.loadWeights(modelDir);
      return io.dti.eval.LeakageMeter.measure(t.model(), streams, batchTargets);
    }
  }

  public static Map<String, Object> evaluate(String packed, String tokenizerJson, String modelDir, String paradigm,
      String split, int batchTargets, Path scoresCsv) throws IOException {
    Configuration hadoop = new Configuration();
    requireComplete(packed, hadoop);
    int vocab = Vocabulary.size(tokenizerJson, hadoop);
    ModelConfig mc = modelConfig(modelDir);
    if (mc.vocabSize() != vocab) {
      throw new IllegalArgumentException("model vocabulary " + mc.vocabSize() + " != tokenizer vocabulary " + vocab);
    }
    List<PackedSample> samples = read(packed, paradigm, split, vocab, hadoop);
    try (Trainer t = new Trainer(mc, TrainConfig.defaults());
        java.io.Writer w = scoresCsv == null ? null : Files.newBufferedWriter(scoresCsv)) {
      t.loadWeights(modelDir);
      if (w != null) {
        w.write("user_id,item_id,timestamp,label,probability\n");
      }
      BinaryMetrics m = Evaluator.evaluate(t.model(), samples, batchTargets, s -> {
        if (w != null) {
          try {
            w.write(s.user() + "," + s.item() + "," + s.ts() + "," + s.label() + "," + s.probability() + "\n");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("paradigm", paradigm);
      out.put("split", split);
      out.put("targets", m.count());
      out.put("auc", m.auc());
      out.put("logloss", m.logLoss());
      return out;
    }
  }
}
