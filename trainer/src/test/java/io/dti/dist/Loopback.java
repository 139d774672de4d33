package io.dti.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ranks of a test ring in one JVM: a bound server socket per rank on the loopback address. */
public final class Loopback implements AutoCloseable {
  public final List<ServerSocket> listeners = new ArrayList<>();
  public final List<InetSocketAddress> peers = new ArrayList<>();

  public Loopback(int ranks) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int r = 0; r < ranks; r++) {
      ServerSocket s = new ServerSocket(0, 8, lo);
      listeners.add(s);
      peers.add(new InetSocketAddress(lo, s.getLocalPort()));
    }
  }

  @Override
  public void close() throws IOException {
    for (ServerSocket s : listeners) {
      s.close();
    }
  }
}
