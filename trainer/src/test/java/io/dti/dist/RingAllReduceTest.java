package io.dti.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The ring on real sockets: one thread per rank in this JVM. */
class RingAllReduceTest {

  /** Runs an all-reduce of {@code inputs[r]} on each rank r; returns every rank's result. */
  static float[][] allReduce(float[][] inputs, int bucketFloats) throws Exception {
    int world = inputs.length;
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try (Loopback loop = new Loopback(world)) {
      List<ServerSocket> listeners = loop.listeners;
      List<InetSocketAddress> peers = loop.peers;
      List<Future<float[]>> results = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        results.add(pool.submit(() -> {
          try (RingAllReduce ring = new RingAllReduce(rank, peers, listeners.get(rank), Duration.ofSeconds(20), bucketFloats)) {
            float[] data = inputs[rank].clone();
            ring.allReduceSum(data);
            ring.allReduceSum(new float[0]); // an empty vector is a no-op, not a hang
            return data;
          }
        }));
      }
      float[][] out = new float[world][];
      for (int r = 0; r < world; r++) {
        out[r] = results.get(r).get();
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest(name = "world {0}, {1} floats, buckets of {2}")
  @CsvSource({"1, 10, 4", "2, 10, 1000", "3, 7, 1000", "3, 1000, 64", "4, 2, 1000", "4, 3, 1", "3, 10001, 333"})
  void everyRankGetsTheSum(int world, int size, int bucket) throws Exception {
    Random rng = new Random(world * 31L + size);
    float[][] inputs = new float[world][size];
    double[] expected = new double[size];
    for (int r = 0; r < world; r++) {
      for (int i = 0; i < size; i++) {
        inputs[r][i] = (float) rng.nextGaussian();
        expected[i] += inputs[r][i];
      }
    }
    float[][] out = allReduce(inputs, bucket);
    for (int r = 0; r < world; r++) {
      assertEquals(size, out[r].length);
      for (int i = 0; i < size; i++) {
        assertEquals(expected[i], out[r][i], 1e-5, "rank " + r + " element " + i);
      }
      assertArrayEquals(out[0], out[r], "all ranks must hold bit-identical sums");
    }
  }

  @Test
  void aPeerThatNeverConnectsIsNamedAfterTheTimeout() throws Exception {
    try (Loopback ring = new Loopback(2)) {
      // rank 1's port is bound but nobody ever accepts or connects from it
      IOException e = assertThrows(IOException.class,
          () -> new RingAllReduce(0, ring.peers, ring.listeners.get(0), Duration.ofSeconds(2), 1024).close());
      int absent = ring.peers.get(1).getPort();
      assertTrue(e.getMessage().contains("rank 1 (") && e.getMessage().contains(":" + absent), e.getMessage());
      assertTrue(e.getMessage().contains("2 s"), e.getMessage());
    }
  }

  @Test
  void aPeerThatDiesMidReduceIsNamed() throws Exception {
    try (Loopback loop = new Loopback(2)) {
      List<InetSocketAddress> peers = loop.peers;
      ServerSocket l0 = loop.listeners.get(0);
      ServerSocket l1 = loop.listeners.get(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        // rank 1 joins the ring, then leaves without reducing
        pool.submit(() -> {
          new RingAllReduce(1, peers, l1, Duration.ofSeconds(5), 1024).close();
          return null;
        });
        try (RingAllReduce ring = new RingAllReduce(0, peers, l0, Duration.ofSeconds(5), 1024)) {
          IOException e = assertThrows(IOException.class, () -> ring.allReduceSum(new float[1000]));
          assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
