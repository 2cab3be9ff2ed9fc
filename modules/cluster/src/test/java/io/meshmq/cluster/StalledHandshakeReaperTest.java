package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A frozen process accepts TCP connections (its kernel does) and never answers. Hazelcast connects to such an address
 * when it is in the member list (joining, split-brain checks) and, without the reaper, keeps the connection, and with
 * it possibly an IO thread, busy forever (see StalledHandshakeReaper). The stand-in here is a listening socket whose
 * accepted connections are never read.
 */
class StalledHandshakeReaperTest {

  @Test
  void aClusterConnectionThatAFrozenProcessAcceptedIsClosed() throws Exception {
    List<Socket> accepted = new ArrayList<>();
    int port = freePort();
    int frozenPort = freePort();
    // Nothing listens at the other address yet, so the node starts alone; the frozen process appears afterwards, where
    // the node's split-brain checks (every few seconds) look for other members.
    try (ClusterFixture cluster = ClusterFixture.start(0,
        ClusterSettings.PORT, port, ClusterSettings.MEMBERS, "127.0.0.1:" + port + ",127.0.0.1:" + frozenPort)) {
      ClusterNode node = cluster.addNode();
      try (ServerSocket frozen = new ServerSocket(frozenPort, 50, InetAddress.getLoopbackAddress())) {
        Thread acceptor = new Thread(() -> {
          try {
            while (!frozen.isClosed()) {
              Socket a = frozen.accept();
              synchronized (accepted) {
                accepted.add(a); // kept open, never read: what a stopped process's kernel does
              }
            }
          } catch (IOException closed) {
            // the test is over
          }
        }, "frozen-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        try {
          await().atMost(Duration.ofSeconds(30)).until(() -> node.stalledHandshakesClosed() > 0);
          assertThat(node.memberNodeIds()).containsExactly(node.nodeId());
          Socket first;
          synchronized (accepted) {
            assertThat(accepted).isNotEmpty();
            first = accepted.get(0);
          }
          // The node's side is gone: after the protocol bytes it wrote, the stand-in reads the end of the stream.
          first.setSoTimeout(10_000);
          byte[] buf = new byte[256];
          int total = 0;
          for (int n; (n = first.getInputStream().read(buf)) != -1; ) {
            total += n;
          }
          assertThat(total).as("protocol bytes the node sent before giving up").isPositive();
        } finally {
          synchronized (accepted) {
            for (Socket a : accepted) {
              a.close();
            }
          }
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
