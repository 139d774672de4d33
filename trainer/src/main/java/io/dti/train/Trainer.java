package io.dti.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.dti.data.PackedSample;
import io.dti.model.Batch;
import io.dti.model.CtrTransformer;
import io.dti.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The training loop: for each step, forward and backward over its micro-batches (the loss is
 * summed over targets and divided by the step's total targets, so accumulation and batch
 * splits do not change the gradient), clip, AdamW, log; checkpoints every N steps and at the
 * end. {@link #fit} resumes from the newest checkpoint in the output directory.
 *
 * <p>Outputs: {@code metrics.jsonl} (one line per step), {@code loss.png},
 * {@code checkpoints/step-N/{model,optimizer}.safetensors + state.json} and
 * {@code checkpoints/latest}.
 */
public final class Trainer implements AutoCloseable {
  static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private final NDManager manager;
  private final CtrTransformer model;
  private final TrainConfig config;
  private final AdamW optimizer;
  private List<PackedSample> probe = List.of();
  private int probeEvery;

  /** {@code flops}: model FLOPs executed (forward + backward, padding included), see {@link #flops}. */
  public record Result(int steps, double seconds, long targets, long tokens, double lastLoss, List<double[]> losses,
      double flops) {
    public double targetsPerSecond() {
      return targets / seconds;
    }

    public double tokensPerSecond() {
      return tokens / seconds;
    }
  }

  public Trainer(ModelConfig modelConfig, TrainConfig config) {
    this.manager = NDManager.newBaseManager();
    this.model = new CtrTransformer(manager, modelConfig);
    this.config = config;
    this.optimizer = new AdamW(model.params(), config.weightDecay(), config.clipNorm());
  }

  public CtrTransformer model() {
    return model;
  }

  /** Measure the leakage meter on these DTI streams every {@code every} steps (logged, and in metrics.jsonl). */
  public void probe(List<PackedSample> dtiStreams, int every) {
    this.probe = List.copyOf(dtiStreams);
    this.probeEvery = every;
  }

  /**
   * Trains on {@code samples}; with {@code out} non-null, writes metrics, checkpoints and the
   * loss curve there and resumes from its newest checkpoint. {@code stopAfter} (< 0: never)
   * ends the run early after that many steps, as a crash would (used by the resume test).
   */
  public Result fit(List<PackedSample> samples, Path out, int stopAfter, Consumer<String> log) throws IOException {
    BatchPlan plan = new BatchPlan(samples, config);
    int total = plan.steps();
    int start = 0;
    if (out != null) {
      Files.createDirectories(out);
      start = resume(out);
      if (start > 0) {
        log.accept("resumed from step " + start + " of " + total);
      }
    }
    long t0 = System.nanoTime();
    long targets = 0;
    long tokens = 0;
    double lastLoss = Double.NaN;
    List<double[]> losses = new ArrayList<>();
    int stepsRun = 0;
    double flops = 0;
    Prefetcher prefetch = new Prefetcher();
    long parameters = model.params().count();
    for (int step = start; step < total; step++) {
      if (stopAfter >= 0 && stepsRun == stopAfter) {
        break;
      }
      List<int[]> micro = plan.step(step);
      int stepTargets = 0;
      for (int[] mb : micro) {
        for (int i : mb) {
          stepTargets += samples.get(i).numTargets();
        }
      }
      double loss = 0;
      long stepTokens = 0;
      for (int mi = 0; mi < micro.size(); mi++) {
        Prepared next = prefetch.take(step, mi, plan, total, samples);
        try (NDManager scope = next.scope()) {
          Batch batch = next.batch();
          stepTokens += batch.tokens();
          flops += flops(model.config(), parameters, batch);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(batch);
            NDArray l = CtrTransformer.bceWithLogits(logits, batch.labels()).sum()
                .div(CtrTransformer.constant(logits, stepTargets));
            gc.backward(l);
            loss += l.getFloat();
          }
        }
      }
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("loss is " + loss + " at step " + (step + 1) + "; weights left as at step " + step);
      }
      double lr = config.learningRate(step, total);
      double gradNorm = optimizer.step(lr);
      stepsRun++;
      targets += stepTargets;
      tokens += stepTokens;
      lastLoss = loss;
      losses.add(new double[] {step + 1, loss});
      double elapsed = (System.nanoTime() - t0) / 1e9;
      if (out != null) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step + 1);
        m.put("loss", loss);
        m.put("lr", lr);
        m.put("grad_norm", gradNorm);
        m.put("targets", stepTargets);
        m.put("tokens", stepTokens);
        m.put("targets_per_s", targets / elapsed);
        m.put("tokens_per_s", tokens / elapsed);
        m.put("elapsed_s", elapsed);
        if (probeEvery > 0 && !probe.isEmpty() && ((step + 1) % probeEvery == 0 || step + 1 == total)) {
          io.dti.eval.LeakageMeter.Report leak = io.dti.eval.LeakageMeter.measure(model, probe, 256);
          m.put("leakage_mean_abs_logit_diff", leak.overallMean());
          m.put("leakage_last_position", leak.lastMean());
          log.accept(String.format("step %d leakage probe: mean |DTI - SW logit| %.5f, at the last position %.5f",
              step + 1, leak.overallMean(), leak.lastMean()));
        }
        appendLine(out.resolve("metrics.jsonl"), GSON.toJson(m));
      }
      if ((step + 1) % Math.max(1, config.logEvery()) == 0 || step + 1 == total) {
        double eta = elapsed / stepsRun * (total - step - 1);
        log.accept(String.format("step %d/%d  loss %.4f  lr %.2e  %.0f targets/s  %.0f tokens/s  ETA %d:%02d",
            step + 1, total, loss, lr, targets / elapsed, tokens / elapsed, (long) eta / 60, (long) eta % 60));
      }
      if (out != null && config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0) {
        checkpoint(out, step + 1);
      }
    }
    prefetch.close();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (out != null && (stopAfter < 0 || stepsRun < stopAfter)) {
      checkpoint(out, total);
      LossCurve.write(out.resolve("loss.png").toFile(), "training loss (" + samples.get(0).paradigm() + ")", losses);
    }
    return new Result(stepsRun, seconds, targets, tokens, lastLoss, losses, flops);
  }

  /**
   * Forward + backward FLOPs of one batch, as executed: 6 per weight per (padded) token for the
   * matrices (embeddings are lookups, not counted), and 3 x 2 matmuls x 2 per score entry per
   * model dimension for attention (q k^T and p v), banded or dense as the batch runs.
   */
  static double flops(ModelConfig c, long parameters, Batch b) {
    long embeddings = (long) c.vocabSize() * c.dim() + (c.positions() == ModelConfig.Positions.LEARNED ? (long) c.maxPositions() * c.dim() : 0);
    double linear = 6.0 * (parameters - embeddings) * b.size() * b.length();
    double attention = 12.0 * c.layers() * c.dim() * b.attentionEntries();
    return linear + attention;
  }

  private record Prepared(NDManager scope, Batch batch) {}

  /**
   * Builds the next micro-batch (masks are built in Java) on a background thread while the
   * engine computes the current one. Each batch lives in its own sub-manager, closed after use.
   */
  private final class Prefetcher {
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "dti-prefetch");
      t.setDaemon(true);
      return t;
    });
    private java.util.concurrent.Future<Prepared> pending;
    private int pendingStep = -1;
    private int pendingMicro = -1;

    Prepared take(int step, int micro, BatchPlan plan, int total, List<PackedSample> samples) {
      Prepared p;
      try {
        p = pending != null && pendingStep == step && pendingMicro == micro ? pending.get() : build(plan.step(step).get(micro), samples);
      } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("batch preparation failed: " + e.getMessage(), e);
      }
      // queue the following micro-batch
      int ns = step;
      int nm = micro + 1;
      if (nm >= plan.step(step).size()) {
        ns = step + 1;
        nm = 0;
      }
      pending = null;
      if (ns < total) {
        int[] idx = plan.step(ns).get(nm);
        pendingStep = ns;
        pendingMicro = nm;
        pending = pool.submit(() -> build(idx, samples));
      }
      return p;
    }

    private Prepared build(int[] idx, List<PackedSample> samples) {
      List<PackedSample> batchSamples = new ArrayList<>(idx.length);
      for (int i : idx) {
        batchSamples.add(samples.get(i));
      }
      NDManager scope = manager.newSubManager();
      return new Prepared(scope, Batch.of(scope, batchSamples, model.config().attentionBlock()));
    }

    void close() {
      if (pending != null) {
        try {
          pending.get().scope().close();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
          // the run is over; nothing to hand back
        }
      }
      pool.shutdownNow();
    }
  }

  private static void appendLine(Path file, String line) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      w.write(line);
      w.write('\n');
    }
  }

  /** Writes step-N, then points {@code latest} at it: a crash mid-write leaves the previous one in force. */
  void checkpoint(Path out, int step) throws IOException {
    Path dir = out.resolve("checkpoints").resolve(String.format("step-%08d", step));
    Files.createDirectories(dir);
    try (OutputStream o = Files.newOutputStream(dir.resolve("model.safetensors"))) {
      model.params().save(o);
    }
    try (OutputStream o = Files.newOutputStream(dir.resolve("optimizer.safetensors"))) {
      optimizer.save(o);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("step", step);
    state.put("model", model.config());
    state.put("train", config);
    Files.writeString(dir.resolve("state.json"), GSON.toJson(state));
    Path tmp = out.resolve("checkpoints").resolve("latest.tmp");
    Files.writeString(tmp, dir.getFileName().toString());
    Files.move(tmp, out.resolve("checkpoints").resolve("latest"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Loads the newest checkpoint under out, if any; returns the step to continue from. */
  int resume(Path out) throws IOException {
    Path latest = out.resolve("checkpoints").resolve("latest");
    if (!Files.exists(latest)) {
      return 0;
    }
    Path dir = out.resolve("checkpoints").resolve(Files.readString(latest).trim());
    loadWeights(dir);
    try (InputStream in = Files.newInputStream(dir.resolve("optimizer.safetensors"))) {
      optimizer.load(in);
    }
    Map<?, ?> state = GSON.fromJson(Files.readString(dir.resolve("state.json")), Map.class);
    return ((Number) state.get("step")).intValue();
  }

  public void loadWeights(Path checkpointDir) throws IOException {
    try (InputStream in = Files.newInputStream(checkpointDir.resolve("model.safetensors"))) {
      model.params().load(in);
    }
  }

  @Override
  public void close() {
    model.close();
    manager.close();
  }
}
