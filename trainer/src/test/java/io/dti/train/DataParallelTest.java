package io.dti.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.dti.data.PackedSample;
import io.dti.dist.Collective;
import io.dti.dist.Loopback;
import io.dti.dist.RingAllReduce;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient aggregation is right when the split does not matter: 1 rank x 1 replica, 1 rank x 2
 * replicas and 2 ranks x 1 replica (real sockets, one thread per rank) reach the same weights
 * on the same global batches. Checkpoints on a real HDFS resume to the same weights.
 */
class DataParallelTest {
  @TempDir Path dir;

  static final int SHARDS = 2;

  static List<PackedSample> data() {
    return TrainerTest.copyTask(24, 14, 3, 4, 11);
  }

  /** Shard s = samples s, s + SHARDS, ... (the reader's row-modulo rule). */
  static List<PackedSample> shard(List<PackedSample> all, int s) {
    List<PackedSample> out = new ArrayList<>();
    for (int i = s; i < all.size(); i += SHARDS) {
      out.add(all.get(i));
    }
    return out;
  }

  static DataShards shards(List<PackedSample> all, int... held) {
    TreeMap<Integer, List<PackedSample>> m = new TreeMap<>();
    for (int s : held) {
      m.put(s, shard(all, s));
    }
    return new DataShards(SHARDS, m);
  }

  static Map<String, float[]> weights(Trainer t) {
    Map<String, float[]> out = new LinkedHashMap<>();
    t.model().params().all().forEach((name, a) -> out.put(name, a.toFloatArray()));
    return out;
  }

  static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
    double worst = 0;
    for (var e : expected.entrySet()) {
      float[] a = actual.get(e.getKey());
      for (int i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - e.getValue()[i]));
      }
    }
    assertTrue(worst < 2e-5, what + ": largest weight difference " + worst);
  }

  static TrainConfig config() {
    return TrainerTest.fast(2).withBatchTargets(24);
  }

  /** Runs {@code ranks} trainers over a loopback ring, each holding its own shards; returns rank 0's weights. */
  static Map<String, float[]> ranks(int ranks, TrainConfig c, String out, Configuration hadoop, int stopAfter) throws Exception {
    List<PackedSample> all = data();
    ExecutorService pool = Executors.newFixedThreadPool(ranks);
    try (Loopback loop = new Loopback(ranks)) {
      List<ServerSocket> listeners = loop.listeners;
      List<InetSocketAddress> peers = loop.peers;
      List<Future<Map<String, float[]>>> results = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        results.add(pool.submit(() -> {
          int[] held = DataShards.shardsOf(SHARDS, rank, 1, ranks).stream().mapToInt(Integer::intValue).toArray();
          try (Collective ring = new RingAllReduce(rank, peers, listeners.get(rank), Duration.ofSeconds(30), 4096);
              Trainer t = new Trainer(TrainerTest.tiny(), c, List.of(Device.cpu()), ring, hadoop)) {
            t.fit(shards(all, held), out, stopAfter, s -> {});
            return weights(t);
          }
        }));
      }
      List<Map<String, float[]>> w = new ArrayList<>();
      for (Future<Map<String, float[]>> f : results) {
        w.add(f.get());
      }
      for (int r = 1; r < ranks; r++) {
        assertClose(w.get(0), w.get(r), "rank " + r + " against rank 0");
      }
      return w.get(0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ranksAndReplicasReachTheSameWeights() throws Exception {
    List<PackedSample> all = data();
    Map<String, float[]> one;
    Trainer.Result r1;
    try (Trainer t = new Trainer(TrainerTest.tiny(), config())) {
      r1 = t.fit(shards(all, 0, 1), null, -1, s -> {});
      one = weights(t);
    }
    assertTrue(r1.steps() >= 6, "steps " + r1.steps());
    assertEquals(all.stream().mapToLong(PackedSample::numTargets).sum() * 2, r1.targets(), "2 epochs see every target twice");
    Map<String, float[]> replicas;
    try (Trainer t = new Trainer(TrainerTest.tiny(), config(), List.of(Device.cpu(), Device.cpu()), Collective.single(),
        new Configuration())) {
      Trainer.Result r2 = t.fit(shards(all, 0, 1), null, -1, s -> {});
      assertEquals(r1.steps(), r2.steps());
      assertEquals(r1.lastLoss(), r2.lastLoss(), 1e-5);
      replicas = weights(t);
    }
    assertClose(one, replicas, "1 rank x 2 replicas against 1 rank x 1 replica");
    assertClose(one, ranks(2, config(), null, new Configuration(), -1), "2 ranks x 1 replica against 1 rank x 1 replica");
    // and the shards matter: one shard of all the data is a different batch order
    try (Trainer t = new Trainer(TrainerTest.tiny(), config())) {
      t.fit(all, null, -1, s -> {});
      Map<String, float[]> other = weights(t);
      double diff = Math.abs(other.get("layer1.wo")[0] - one.get("layer1.wo")[0])
          + Math.abs(other.get("layer1.wo")[1] - one.get("layer1.wo")[1]);
      assertTrue(diff > 1e-6, "a different global batch order should give different weights");
    }
  }

  @Test
  void twoRanksResumeFromAnHdfsCheckpoint() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      Configuration hadoop = cluster.getConfiguration(0);
      TrainConfig c = TrainerTest.fast(1).withBatchTargets(24).withCheckpointEvery(2);
      String straightDir = cluster.getURI() + "/runs/straight";
      String crashedDir = cluster.getURI() + "/runs/crashed";
      Map<String, float[]> straight = ranks(2, c, straightDir, hadoop, -1);
      ranks(2, c, crashedDir, hadoop, 3); // both ranks stop after 3 steps: newest checkpoint is step 2
      RunDir crashed = new RunDir(crashedDir, hadoop);
      assertEquals(2, crashed.newestCheckpoint());
      Map<String, float[]> resumed = ranks(2, c, crashedDir, hadoop, -1);
      assertClose(straight, resumed, "resumed from the HDFS checkpoint against uninterrupted");
      assertTrue(crashed.exists("loss.png") && crashed.exists("checkpoints/latest"));
      List<String> metrics = crashed.lines("metrics.jsonl");
      assertEquals(new RunDir(straightDir, hadoop).lines("metrics.jsonl").size(), metrics.size(),
          "one metrics line per step, none lost or doubled by the resume");
    } finally {
      cluster.shutdown();
    }
  }
}
