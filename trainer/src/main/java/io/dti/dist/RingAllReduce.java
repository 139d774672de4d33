package io.dti.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ring all-reduce over plain TCP: rank r sends to r + 1 and receives from r - 1 (mod world).
 * The vector is cut into buckets of at most {@code bucketFloats}; each bucket into world-size
 * chunks (sizes differ by at most one, empty when the bucket is smaller than the world). Then
 * the textbook two phases, each world - 1 rounds:
 *
 * <pre>
 *   reduce-scatter  round s: send chunk (r - s), receive chunk (r - s - 1) and add it in
 *   all-gather      round s: send chunk (r + 1 - s), receive chunk (r - s) and keep it
 * </pre>
 *
 * Each rank sends 2 (w - 1) / w of the vector, whatever the world size. Sums are in a fixed
 * order for a given world, and the all-gather copies the same bits everywhere, so replicas
 * that start equal stay equal. Every wait has a timeout; errors name the peer's rank and
 * address.
 */
public final class RingAllReduce implements Collective {
  private final int rank;
  private final List<InetSocketAddress> peers;
  private final Duration timeout;
  private final int bucketFloats;
  private final Socket toNext;
  private final Socket fromPrev;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  private long nanos;

  /**
   * Connects rank {@code rank} into the ring. {@code listener} is this rank's bound server
   * socket (its address is {@code peers.get(rank)}, shared with the others beforehand).
   */
  public RingAllReduce(int rank, List<InetSocketAddress> peers, ServerSocket listener, Duration timeout, int bucketFloats)
      throws IOException {
    if (rank < 0 || rank >= peers.size()) {
      throw new IllegalArgumentException("rank " + rank + " outside world of " + peers.size());
    }
    this.rank = rank;
    this.peers = List.copyOf(peers);
    this.timeout = timeout;
    this.bucketFloats = Math.max(1, bucketFloats);
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "dti-allreduce-send-" + rank);
      t.setDaemon(true);
      return t;
    });
    if (peers.size() == 1) {
      toNext = null;
      fromPrev = null;
      out = null;
      in = null;
      return;
    }
    int next = (rank + 1) % peers.size();
    int prev = (rank - 1 + peers.size()) % peers.size();
    Future<Socket> accepted = sender.submit(() -> accept(listener, prev));
    Socket s = connect(next);
    try {
      this.fromPrev = accepted.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      s.close();
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      s.close();
      throw new IOException(who() + ": " + peerName(prev) + " never connected within " + timeout.toSeconds() + " s", e);
    }
    this.toNext = s;
    this.out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
    this.in = new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
  }

  private Socket accept(ServerSocket listener, int prev) throws IOException {
    listener.setSoTimeout((int) timeout.toMillis());
    try {
      Socket s = listener.accept();
      s.setSoTimeout((int) timeout.toMillis());
      s.setTcpNoDelay(true);
      int from = new DataInputStream(s.getInputStream()).readInt();
      if (from != prev) {
        s.close();
        throw new IOException(who() + ": expected a connection from " + peerName(prev) + ", got one from rank " + from);
      }
      return s;
    } catch (SocketTimeoutException e) {
      throw new IOException(who() + ": " + peerName(prev) + " never connected within " + timeout.toSeconds() + " s", e);
    }
  }

  private Socket connect(int next) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      Socket s = new Socket();
      try {
        s.connect(peers.get(next), 1000);
        s.setSoTimeout((int) timeout.toMillis());
        s.setTcpNoDelay(true);
        DataOutputStream hello = new DataOutputStream(s.getOutputStream());
        hello.writeInt(rank);
        hello.flush();
        return s;
      } catch (IOException e) {
        last = e;
        s.close();
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IOException(who() + ": could not connect to " + peerName(next) + " within " + timeout.toSeconds() + " s"
        + (last == null ? "" : ": " + last.getMessage()), last);
  }

  @Override public int rank() {
    return rank;
  }

  @Override public int worldSize() {
    return peers.size();
  }

  @Override public double seconds() {
    return nanos / 1e9;
  }

  @Override
  public void allReduceSum(float[] data) throws IOException {
    int world = peers.size();
    if (world == 1) {
      return;
    }
    long t0 = System.nanoTime();
    for (int from = 0; from < data.length; from += bucketFloats) {
      reduceBucket(data, from, Math.min(data.length, from + bucketFloats) - from);
    }
    nanos += System.nanoTime() - t0;
  }

  private void reduceBucket(float[] data, int offset, int length) throws IOException {
    int world = peers.size();
    for (int s = 0; s < world - 1; s++) {
      exchange(data, offset, length, mod(rank - s), mod(rank - s - 1), true);
    }
    for (int s = 0; s < world - 1; s++) {
      exchange(data, offset, length, mod(rank + 1 - s), mod(rank - s), false);
    }
  }

  /** Sends chunk {@code send} to the next rank while receiving chunk {@code recv} from the previous one. */
  private void exchange(float[] data, int offset, int length, int send, int recv, boolean add) throws IOException {
    int sendFrom = offset + chunkStart(length, send);
    int sendLen = chunkStart(length, send + 1) - chunkStart(length, send);
    float[] copy = java.util.Arrays.copyOfRange(data, sendFrom, sendFrom + sendLen);
    Future<?> sent = sender.submit(() -> {
      write(copy);
      return null;
    });
    int recvFrom = offset + chunkStart(length, recv);
    int recvLen = chunkStart(length, recv + 1) - chunkStart(length, recv);
    float[] got = read(recvLen);
    if (add) {
      for (int i = 0; i < recvLen; i++) {
        data[recvFrom + i] += got[i];
      }
    } else {
      System.arraycopy(got, 0, data, recvFrom, recvLen);
    }
    try {
      sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(who() + ": sending to " + peerName(mod(rank + 1)) + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IOException(who() + ": " + peerName(mod(rank + 1)) + " took no data for " + timeout.toSeconds() + " s", e);
    }
  }

  private void write(float[] chunk) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * chunk.length).order(ByteOrder.BIG_ENDIAN);
    b.putInt(chunk.length);
    b.asFloatBuffer().put(chunk);
    out.write(b.array());
    out.flush();
  }

  private float[] read(int expected) throws IOException {
    int prev = mod(rank - 1);
    try {
      int n = in.readInt();
      if (n != expected) {
        throw new IOException(who() + ": " + peerName(prev) + " sent a chunk of " + n + " floats, expected " + expected
            + " (do all ranks train the same model?)");
      }
      byte[] bytes = new byte[4 * n];
      in.readFully(bytes);
      float[] f = new float[n];
      ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(f);
      return f;
    } catch (SocketTimeoutException e) {
      throw new IOException(who() + ": no data from " + peerName(prev) + " for " + timeout.toSeconds() + " s", e);
    } catch (java.io.EOFException e) {
      throw new IOException(who() + ": " + peerName(prev) + " closed the connection (did its task die?)", e);
    }
  }

  /** Start of chunk i of a bucket of {@code length} floats cut into world-size chunks. */
  private int chunkStart(int length, int i) {
    return (int) ((long) length * i / peers.size());
  }

  private int mod(int r) {
    int w = peers.size();
    return ((r % w) + w) % w;
  }

  private String who() {
    return "all-reduce rank " + rank + "/" + peers.size();
  }

  private String peerName(int r) {
    InetSocketAddress a = peers.get(r);
    return "rank " + r + " (" + a.getHostString() + ":" + a.getPort() + ")";
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (Socket s : new Socket[] {toNext, fromPrev}) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // closing: nothing left to tell the peer
        }
      }
    }
  }
}
