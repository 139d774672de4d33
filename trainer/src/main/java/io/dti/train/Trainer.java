package io.dti.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.dti.data.PackedSample;
import io.dti.dist.Collective;
import io.dti.model.Batch;
import io.dti.model.CtrTransformer;
import io.dti.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import java.util.function.Consumer;

/**
 * The training loop, data parallel from one device up. Each step:
 *
 * <ol>
 *   <li>every replica (one per device) runs forward and backward over its shards' micro-batches,
 *       the loss summed over targets;
 *   <li>gradients, loss and target counts are summed over replicas, then over ranks
 *       ({@link Collective}, an all-reduce);
 *   <li>every replica divides by the step's global target count and applies the same clipped
 *       AdamW update, so all copies stay equal and the result does not depend on the split.
 * </ol>
 *
 * Checkpoints every N steps and at the end (rank 0 writes, to any Hadoop path, see
 * {@link RunDir}); {@link #fit} resumes from the newest complete one.
 */
public final class Trainer implements AutoCloseable {
  static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private final List<Replica> replicas = new ArrayList<>();
  private final TrainConfig config;
  private final Collective collective;
  private final Configuration hadoop;
  private final ExecutorService replicaThreads;
  private List<PackedSample> probe = List.of();
  private int probeEvery;
  private java.util.function.IntConsumer afterStep = step -> {};

  /**
   * {@code flops}: model FLOPs executed (forward + backward, padding included), see {@link #flops};
   * {@code commSeconds}: time in the all-reduce between ranks (0 on one rank).
   */
  public record Result(int steps, double seconds, long targets, long tokens, double lastLoss, List<double[]> losses,
      double flops, double commSeconds) {
    public double targetsPerSecond() {
      return targets / seconds;
    }

    public double tokensPerSecond() {
      return tokens / seconds;
    }
  }

  /** One model on the engine's default device, no peers. */
  public Trainer(ModelConfig modelConfig, TrainConfig config) {
    this(modelConfig, config, List.of(Engine.getInstance().defaultDevice()), Collective.single(), new Configuration());
  }

  /**
   * Data parallel: one replica per device (the same weights, from the config's seed), gradients
   * summed over replicas and then over ranks through {@code collective} every step.
   */
  public Trainer(ModelConfig modelConfig, TrainConfig config, List<Device> devices, Collective collective,
      Configuration hadoop) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("no devices to train on");
    }
    this.config = config;
    this.collective = collective;
    this.hadoop = hadoop;
    for (Device d : devices) {
      replicas.add(new Replica(modelConfig, config, d));
    }
    this.replicaThreads = devices.size() == 1 ? null : Executors.newFixedThreadPool(devices.size(), r -> {
      Thread t = new Thread(r, "dti-replica");
      t.setDaemon(true);
      return t;
    });
  }

  /** Replica 0's model (all replicas hold the same weights between steps). */
  public CtrTransformer model() {
    return replicas.get(0).model;
  }

  /** Measure the leakage meter on these DTI streams every {@code every} steps (logged, and in metrics.jsonl). */
  public void probe(List<PackedSample> dtiStreams, int every) {
    this.probe = List.copyOf(dtiStreams);
    this.probeEvery = every;
  }

  /** Called with the step number after each step's update and checkpoint (progress hooks, fault drills). */
  public void afterStep(java.util.function.IntConsumer hook) {
    this.afterStep = hook;
  }

  /** Single-process form of {@link #fit(DataShards, String, int, Consumer)}: all samples one shard, a local or Hadoop path. */
  public Result fit(List<PackedSample> samples, Path out, int stopAfter, Consumer<String> log) throws IOException {
    return fit(DataShards.whole(samples), out == null ? null : out.toAbsolutePath().toString(), stopAfter, log);
  }

  /**
   * Trains on this rank's shards; with {@code out} non-null, rank 0 writes metrics, checkpoints
   * and the loss curve there (any Hadoop path) and every rank resumes from its newest
   * checkpoint. {@code stopAfter} (< 0: never) ends the run early after that many steps, as a
   * crash would (used by the resume tests).
   */
  public Result fit(DataShards data, String out, int stopAfter, Consumer<String> log) throws IOException {
    replicas.forEach(r -> r.nextStep = -1); // no look-ahead from an earlier fit
    int workers = replicas.size() * collective.worldSize();
    int firstWorker = collective.rank() * replicas.size();
    TrainConfig shardConfig = config.withBatchTargets(Math.max(1, (config.batchTargets() + data.count() - 1) / data.count()));
    Map<Integer, BatchPlan> plans = new TreeMap<>();
    List<List<Integer>> work = new ArrayList<>();
    for (int j = 0; j < replicas.size(); j++) {
      List<Integer> mine = DataShards.shardsOf(data.count(), firstWorker + j, 1, workers);
      for (int s : mine) {
        List<PackedSample> shard = data.held().get(s);
        if (shard == null) {
          throw new IllegalArgumentException("rank " + collective.rank() + " computes shard " + s + " of " + data.count()
              + " but does not hold it");
        }
        plans.put(s, new BatchPlan(shard, shardConfig));
      }
      work.add(mine);
    }
    // every rank must agree on the number of steps: the longest shard's
    float[] stepsPerShard = new float[data.count()];
    plans.forEach((s, p) -> stepsPerShard[s] = p.steps());
    collective.allReduceSum(stepsPerShard);
    int total = 0;
    for (float f : stepsPerShard) {
      total = Math.max(total, (int) f);
    }
    RunDir dir = out == null ? null : new RunDir(out, hadoop);
    boolean writer = dir != null && collective.rank() == 0;
    int start = resume(dir);
    if (start > 0) {
      log.accept("resumed from step " + start + " of " + total);
    }
    List<String> metricLines = new ArrayList<>();
    List<double[]> losses = new ArrayList<>();
    org.apache.hadoop.fs.FSDataOutputStream metrics = null;
    if (writer) {
      for (String line : dir.lines("metrics.jsonl")) {
        Map<?, ?> m = GSON.fromJson(line, Map.class);
        int step = ((Number) m.get("step")).intValue();
        if (step <= start) {
          metricLines.add(line);
          losses.add(new double[] {step, ((Number) m.get("loss")).doubleValue()});
        }
      }
      metrics = dir.create("metrics.jsonl");
      for (String line : metricLines) {
        metrics.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      RunDir.flush(metrics);
    }
    String paradigm = data.held().values().stream().filter(l -> !l.isEmpty()).map(l -> l.get(0).paradigm()).findFirst().orElse("");
    long t0 = System.nanoTime();
    double comm0 = collective.seconds();
    long targets = 0;
    long tokens = 0;
    double lastLoss = Double.NaN;
    int stepsRun = 0;
    double flops = 0;
    int size = (int) model().params().count();
    try {
      for (int step = start; step < total; step++) {
        if (stopAfter >= 0 && stepsRun == stopAfter) {
          break;
        }
        // 1. each replica: forward + backward over its shards' micro-batches -> [gradients, loss sum, targets, tokens, flops]
        float[][] local = computeReplicas(step, work, plans, data);
        // 2. sum over replicas, then over ranks
        float[] sum = local[0];
        for (int j = 1; j < local.length; j++) {
          for (int i = 0; i < sum.length; i++) {
            sum[i] += local[j][i];
          }
        }
        collective.allReduceSum(sum);
        double stepTargets = sum[size + 1];
        double loss = sum[size] / stepTargets;
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException("loss is " + loss + " at step " + (step + 1) + "; weights left as at step " + step);
        }
        // 3. the same mean gradient into every replica, the same update everywhere
        for (int i = 0; i < size; i++) {
          sum[i] /= stepTargets;
        }
        double lr = config.learningRate(step, total);
        double gradNorm = 0;
        for (Replica r : replicas) {
          gradNorm = Autograd.noGrad(() -> {
            r.setGradients(sum);
            return r.optimizer.step(lr);
          });
        }
        stepsRun++;
        targets += (long) stepTargets;
        tokens += (long) sum[size + 2];
        flops += sum[size + 3];
        lastLoss = loss;
        losses.add(new double[] {step + 1, loss});
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (writer) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("step", step + 1);
          m.put("loss", loss);
          m.put("lr", lr);
          m.put("grad_norm", gradNorm);
          m.put("targets", (long) stepTargets);
          m.put("tokens", (long) sum[size + 2]);
          m.put("targets_per_s", targets / elapsed);
          m.put("tokens_per_s", tokens / elapsed);
          m.put("elapsed_s", elapsed);
          m.put("comm_s", collective.seconds() - comm0);
          if (probeEvery > 0 && !probe.isEmpty() && ((step + 1) % probeEvery == 0 || step + 1 == total)) {
            io.dti.eval.LeakageMeter.Report leak = io.dti.eval.LeakageMeter.measure(model(), probe, 256);
            m.put("leakage_mean_abs_logit_diff", leak.overallMean());
            m.put("leakage_last_position", leak.lastMean());
            log.accept(String.format("step %d leakage probe: mean |DTI - SW logit| %.5f, at the last position %.5f",
                step + 1, leak.overallMean(), leak.lastMean()));
          }
          metrics.write((GSON.toJson(m) + "\n").getBytes(StandardCharsets.UTF_8));
          RunDir.flush(metrics);
        }
        if ((step + 1) % Math.max(1, config.logEvery()) == 0 || step + 1 == total) {
          double eta = elapsed / stepsRun * (total - step - 1);
          log.accept(String.format("step %d/%d  loss %.4f  lr %.2e  %.0f targets/s  %.0f tokens/s  ETA %d:%02d",
              step + 1, total, loss, lr, targets / elapsed, tokens / elapsed, (long) eta / 60, (long) eta % 60));
        }
        if (writer && config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0) {
          checkpoint(dir, step + 1, paradigm, losses);
        }
        afterStep.accept(step + 1);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (writer && (stopAfter < 0 || stepsRun < stopAfter)) {
        checkpoint(dir, total, paradigm, losses);
      }
      return new Result(stepsRun, seconds, targets, tokens, lastLoss, losses, flops, collective.seconds() - comm0);
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      for (Replica r : replicas) {
        r.prefetch.close();
      }
    }
  }

  /** Runs every replica's share of one step (in parallel when there are several); returns their vectors. */
  private float[][] computeReplicas(int step, List<List<Integer>> work, Map<Integer, BatchPlan> plans, DataShards data) {
    float[][] out = new float[replicas.size()][];
    if (replicas.size() == 1) {
      out[0] = replicas.get(0).compute(step, work.get(0), plans, data);
      return out;
    }
    List<Future<float[]>> futures = new ArrayList<>();
    for (int j = 0; j < replicas.size(); j++) {
      Replica r = replicas.get(j);
      List<Integer> shards = work.get(j);
      futures.add(replicaThreads.submit(() -> r.compute(step, shards, plans, data)));
    }
    for (int j = 0; j < out.length; j++) {
      try {
        out[j] = futures.get(j).get();
      } catch (InterruptedException | ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IllegalStateException("replica " + j + " failed at step " + (step + 1) + ": " + cause.getMessage(), cause);
      }
    }
    return out;
  }

  /** One model copy on one device with its own optimizer; every replica applies the same summed gradient. */
  private static final class Replica implements AutoCloseable {
    final NDManager manager;
    final CtrTransformer model;
    final AdamW optimizer;
    final Prefetcher prefetch;
    final int size;
    private int nextStep = -1;
    private List<List<PackedSample>> nextBatches;

    Replica(ModelConfig mc, TrainConfig tc, Device device) {
      this.manager = NDManager.newBaseManager(device);
      this.model = new CtrTransformer(manager, mc);
      this.optimizer = new AdamW(model.params(), tc.weightDecay(), tc.clipNorm());
      this.prefetch = new Prefetcher(manager, mc.attentionBlock());
      this.size = (int) model.params().count();
      defineGradients();
    }

    /** A backward pass of 0 x (sum of all weights): every gradient buffer exists (and is 0) before the first step. */
    private void defineGradients() {
      try (NDManager scope = manager.newSubManager()) {
        Autograd.backward(() -> {
          NDArray total = null;
          for (NDArray p : model.params().all().values()) {
            NDArray s = p.sum();
            s.attach(scope);
            total = total == null ? s : total.add(s);
          }
          return total.mul(CtrTransformer.constant(total, 0));
        });
      }
      Autograd.noGrad(() -> {
        for (NDArray p : model.params().all().values()) {
          try (NDArray g = p.getGradient()) {
            g.muli(0);
          }
        }
        return null;
      });
    }

    /** Forward + backward of this replica's micro-batches at {@code step}; returns [gradients, loss sum, targets, tokens, flops]. */
    float[] compute(int step, List<Integer> shards, Map<Integer, BatchPlan> plans, DataShards data) {
      List<List<PackedSample>> batches = nextStep == step ? nextBatches : batchesOf(step, shards, plans, data);
      double lossSum = 0;
      long targets = 0;
      long tokens = 0;
      double flops = 0;
      for (int i = 0; i < batches.size(); i++) {
        Prepared next = prefetch.take(step, i, batches, () -> {
          nextStep = step + 1; // the prefetcher looks ahead; the next compute reuses the lists
          nextBatches = batchesOf(step + 1, shards, plans, data);
          return nextBatches;
        });
        try (NDManager scope = next.scope()) {
          Batch batch = next.batch();
          tokens += batch.tokens();
          targets += batches.get(i).stream().mapToLong(PackedSample::numTargets).sum();
          flops += flops(model.config(), size, batch);
          NDArray l = Autograd.backward(() -> CtrTransformer.bceWithLogits(model.forward(batch), batch.labels()).sum());
          lossSum += l.getFloat();
        }
      }
      float[] v = new float[size + 4];
      int off = 0;
      for (NDArray p : model.params().all().values()) {
        try (NDArray g = p.getGradient()) {
          float[] a = g.toFloatArray();
          System.arraycopy(a, 0, v, off, a.length);
          off += a.length;
        }
      }
      v[size] = (float) lossSum;
      v[size + 1] = targets;
      v[size + 2] = tokens;
      v[size + 3] = (float) flops;
      return v;
    }

    /** Overwrites the accumulated gradients with the first values of {@code mean} (copied in place, never aliased). */
    void setGradients(float[] mean) {
      try (NDManager tmp = manager.newSubManager()) {
        int off = 0;
        for (NDArray p : model.params().all().values()) {
          int n = (int) p.getShape().size();
          float[] part = java.util.Arrays.copyOfRange(mean, off, off + n);
          off += n;
          NDArray src = tmp.create(part, p.getShape());
          try (NDArray g = p.getGradient()) {
            g.muli(0).addi(src);
          }
        }
      }
    }

    @Override
    public void close() {
      prefetch.close();
      model.close();
      manager.close();
    }
  }

  /** The micro-batches one worker computes at a step: each of its shards' batches, shard by shard. */
  static List<List<PackedSample>> batchesOf(int step, List<Integer> shards, Map<Integer, BatchPlan> plans, DataShards data) {
    List<List<PackedSample>> out = new ArrayList<>();
    for (int s : shards) {
      BatchPlan plan = plans.get(s);
      if (step >= plan.steps()) {
        continue; // a shorter shard is done: it adds nothing to the last steps
      }
      List<PackedSample> shard = data.held().get(s);
      for (int[] mb : plan.step(step)) {
        List<PackedSample> batch = new ArrayList<>(mb.length);
        for (int i : mb) {
          batch.add(shard.get(i));
        }
        out.add(batch);
      }
    }
    return out;
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
  private static final class Prefetcher {
    private final NDManager manager;
    private final int attentionBlock;
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "dti-prefetch");
      t.setDaemon(true);
      return t;
    });
    private Future<Prepared> pending;
    private int pendingStep = -1;
    private int pendingMicro = -1;

    Prefetcher(NDManager manager, int attentionBlock) {
      this.manager = manager;
      this.attentionBlock = attentionBlock;
    }

    Prepared take(int step, int micro, List<List<PackedSample>> batches, java.util.function.Supplier<List<List<PackedSample>>> nextStep) {
      Prepared p;
      try {
        p = pending != null && pendingStep == step && pendingMicro == micro ? pending.get() : build(batches.get(micro));
      } catch (InterruptedException | ExecutionException e) {
        throw new IllegalStateException("batch preparation failed: " + e.getMessage(), e);
      }
      pending = null;
      List<PackedSample> following = null;
      if (micro + 1 < batches.size()) {
        following = batches.get(micro + 1);
        pendingStep = step;
        pendingMicro = micro + 1;
      } else {
        List<List<PackedSample>> next = nextStep.get();
        if (!next.isEmpty()) {
          following = next.get(0);
          pendingStep = step + 1;
          pendingMicro = 0;
        }
      }
      if (following != null) {
        List<PackedSample> b = following;
        pending = pool.submit(() -> build(b));
      }
      return p;
    }

    private Prepared build(List<PackedSample> batch) {
      NDManager scope = manager.newSubManager();
      return new Prepared(scope, Batch.of(scope, batch, attentionBlock));
    }

    void close() {
      if (pending != null) {
        try {
          pending.get().scope().close();
        } catch (InterruptedException | ExecutionException e) {
          // the run is over; nothing to hand back
        }
        pending = null;
      }
      pool.shutdownNow();
    }
  }

  /** Writes step-N (state.json last, which makes it count), the loss curve and the {@code latest} pointer. */
  private void checkpoint(RunDir dir, int step, String paradigm, List<double[]> losses) throws IOException {
    String name = RunDir.checkpointName(step);
    Replica r = replicas.get(0);
    try (OutputStream o = dir.create(name + "/model.safetensors")) {
      r.model.params().save(o);
    }
    try (OutputStream o = dir.create(name + "/optimizer.safetensors")) {
      r.optimizer.save(o);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("step", step);
    state.put("model", r.model.config());
    state.put("train", config);
    state.put("ranks", collective.worldSize());
    state.put("replicas_per_rank", replicas.size());
    dir.write(name + "/" + RunDir.STATE, GSON.toJson(state));
    dir.write("checkpoints/latest", name.substring("checkpoints/".length()));
    try (OutputStream o = dir.create("loss.png")) {
      LossCurve.write(o, "training loss (" + paradigm + ")", losses);
    }
  }

  /**
   * Rank 0 picks the newest complete checkpoint and tells the others (so a straggler from a
   * failed attempt still writing one cannot split the ranks); every replica loads it. Returns
   * the step to continue from (0 = fresh start).
   */
  private int resume(RunDir dir) throws IOException {
    float[] agreed = {dir != null && collective.rank() == 0 ? dir.newestCheckpoint() : 0};
    collective.allReduceSum(agreed);
    int step = (int) agreed[0];
    if (step == 0) {
      return 0;
    }
    String name = RunDir.checkpointName(step);
    for (Replica r : replicas) {
      try (InputStream in = dir.open(name + "/model.safetensors")) {
        r.model.params().load(in);
      }
      try (InputStream in = dir.open(name + "/optimizer.safetensors")) {
        r.optimizer.load(in);
      }
    }
    return step;
  }

  /** Loads the weights of the newest checkpoint of a run directory (any Hadoop path) into every replica. */
  public void loadWeights(String runDir) throws IOException {
    RunDir dir = new RunDir(runDir, hadoop);
    int step = dir.newestCheckpoint();
    if (step == 0) {
      throw new IllegalArgumentException(runDir + " holds no complete checkpoint (checkpoints/step-N/state.json)");
    }
    for (Replica r : replicas) {
      try (InputStream in = dir.open(RunDir.checkpointName(step) + "/model.safetensors")) {
        r.model.params().load(in);
      }
    }
  }

  @Override
  public void close() {
    if (replicaThreads != null) {
      replicaThreads.shutdownNow();
    }
    replicas.forEach(Replica::close);
  }
}
