package io.meshmq.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Finds free TCP ports on interfaces (for listeners configured with port 0). */
final class FreePort {

  private FreePort() {
  }

  /**
   * One free port per host, all different: each socket stays open until all are found, so two listeners started
   * together cannot be handed the same port.
   */
  static List<Integer> findAll(List<String> hosts) {
    List<ServerSocket> open = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (String host : hosts) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host));
        open.add(s);
        s.setReuseAddress(true);
        ports.add(s.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + hosts, e);
    } finally {
      for (ServerSocket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing to release
        }
      }
    }
  }
}
