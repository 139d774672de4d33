package io.dti.jobs.dist;

import ai.djl.Device;
import io.dti.data.SampleReader;
import io.dti.dist.RingAllReduce;
import io.dti.jobs.common.Json;
import io.dti.model.ModelConfig;
import io.dti.train.DataShards;
import io.dti.train.RunDir;
import io.dti.train.TrainConfig;
import io.dti.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.resource.ResourceInformation;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One rank of the barrier stage, run on an executor:
 *
 * <ol>
 *   <li>rendezvous: open a server socket, {@code allGather} every rank's host:port and device
 *       count from {@link BarrierTaskContext};
 *   <li>devices: the GPUs Spark gave this task ({@code resources().get("gpu")}), else the CPU;
 *   <li>read this rank's shards of the pack output straight from the file system;
 *   <li>join the ring, {@code barrier()}, train; rank 0 writes checkpoints and metrics.
 * </ol>
 *
 * Returns one JSON line: the rank's steps, seconds, communication seconds, targets.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {
  static final String CRASH_MARKER = "_dist_crash_drill_done";

  private final String trainDir;
  private final int vocab;
  private final ModelConfig model;
  private final TrainConfig train;
  private final DistributedTrain.Settings settings;
  private final String output;
  private final Map<String, String> hadoopConf;

  RankTask(String trainDir, int vocab, ModelConfig model, TrainConfig train, DistributedTrain.Settings settings, String output,
      Map<String, String> hadoopConf) {
    this.trainDir = trainDir;
    this.vocab = vocab;
    this.model = model;
    this.train = train;
    this.settings = settings;
    this.output = output;
    this.hadoopConf = hadoopConf;
  }

  @Override
  public Iterator<String> apply(Iterator<Integer> ignored) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    try {
      return CollectionConverters.asScala(List.of(runRank(ctx)).iterator());
    } catch (IOException e) {
      throw new IllegalStateException("rank " + ctx.partitionId() + ": " + e.getMessage(), e);
    }
  }

  private String runRank(BarrierTaskContext ctx) throws IOException {
    int rank = ctx.partitionId();
    int world = ctx.getTaskInfos().length;
    List<Device> devices = devices(ctx);
    Configuration hadoop = new Configuration(false);
    hadoopConf.forEach(hadoop::set);
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(0));
      String host = hostOf(ctx.getTaskInfos()[rank].address());
      String[] all = ctx.allGather(host + "|" + listener.getLocalPort() + "|" + devices.size());
      List<InetSocketAddress> peers = new ArrayList<>();
      for (int r = 0; r < all.length; r++) {
        String[] f = all[r].split("\\|");
        if (Integer.parseInt(f[2]) != devices.size()) {
          throw new IllegalStateException("rank " + r + " has " + f[2] + " replicas, rank " + rank + " has " + devices.size()
              + ": every rank needs the same number (set dist.replicas-per-rank, or give every task the same GPUs)");
        }
        peers.add(new InetSocketAddress(f[0], Integer.parseInt(f[1])));
      }
      int shards = settings.dataShards() > 0 ? settings.dataShards() : world * devices.size();
      DataShards data = DataShards.read(new SampleReader(hadoop, vocab), trainDir, shards, rank, devices.size(), world);
      log(rank, String.format("%s, %d replica(s) on %s, shards %s of %d: %d samples, %d targets", peers.get(rank), devices.size(),
          devices, data.held().keySet(), shards, data.samples(), data.targets()));
      try (RingAllReduce ring = new RingAllReduce(rank, peers, listener, Duration.ofSeconds(settings.timeoutSeconds()),
          settings.bucketMib() * (1 << 20) / 4);
          Trainer trainer = new Trainer(model, train, devices, ring, hadoop)) {
        ctx.barrier();
        crashDrill(trainer, rank, hadoop);
        Trainer.Result r = trainer.fit(data, output, -1, line -> log(rank, line));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rank", rank);
        out.put("host", host);
        out.put("pid", ProcessHandle.current().pid());
        out.put("replicas", devices.size());
        out.put("data_shards", shards);
        out.put("steps", r.steps());
        out.put("seconds", r.seconds());
        out.put("comm_seconds", r.commSeconds());
        out.put("targets", r.targets());
        out.put("tokens", r.tokens());
        out.put("last_loss", r.lastLoss());
        return Json.mapper().writeValueAsString(out);
      }
    }
  }

  /** The task's GPUs when Spark scheduled some, else the CPU, {@code dist.replicas-per-rank} times (default once). */
  private List<Device> devices(BarrierTaskContext ctx) {
    List<Device> out = new ArrayList<>();
    ResourceInformation gpus = ctx.resourcesJMap().get("gpu");
    if (gpus != null && gpus.addresses().length > 0) {
      for (String a : gpus.addresses()) {
        if (settings.replicasPerRank() == 0 || out.size() < settings.replicasPerRank()) {
          out.add(Device.gpu(Integer.parseInt(a.trim())));
        }
      }
      return out;
    }
    for (int i = 0; i < Math.max(1, settings.replicasPerRank()); i++) {
      out.add(Device.cpu());
    }
    return out;
  }

  /**
   * Fault drill ({@code dist.crash-at = RANK:STEP}): that rank halts its executor JVM after STEP,
   * once per output directory, as a lost machine would. In local mode (no separate executor)
   * it fails the task instead.
   */
  private void crashDrill(Trainer trainer, int rank, Configuration hadoop) throws IOException {
    if (settings.crashAt().isBlank()) {
      return;
    }
    String[] f = settings.crashAt().split(":");
    int crashRank = Integer.parseInt(f[0].trim());
    int crashStep = Integer.parseInt(f[1].trim());
    RunDir dir = new RunDir(output, hadoop);
    if (rank != crashRank || dir.exists(CRASH_MARKER)) {
      return;
    }
    trainer.afterStep(step -> {
      if (step == crashStep) {
        try {
          dir.write(CRASH_MARKER, "rank " + rank + " step " + step + "\n");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        log(rank, "fault drill: losing this executor after step " + step);
        if ("driver".equals(SparkEnv.get().executorId())) {
          throw new IllegalStateException("fault drill: rank " + rank + " failed after step " + step);
        }
        Runtime.getRuntime().halt(137);
      }
    });
  }

  private static String hostOf(String address) {
    int colon = address.lastIndexOf(':');
    return colon > 0 ? address.substring(0, colon) : address;
  }

  private static void log(int rank, String line) {
    System.err.println("[rank " + rank + "] " + line);
  }
}
