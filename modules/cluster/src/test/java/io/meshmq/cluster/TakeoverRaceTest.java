package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** Two connections of one client id racing on two nodes end with exactly one live connection. */
class TakeoverRaceTest {

  @Test
  void concurrentConnectsOfOneClientIdOnTwoNodesLeaveExactlyOneConnected() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ClusterFixture cluster = ClusterFixture.start(2)) {
      for (int round = 0; round < 8; round++) {
        String id = "racer-" + round;
        boolean clean = round % 2 == 0;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<MqttClient>> attempts = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
          String uri = cluster.uri(node);
          attempts.add(pool.submit(() -> {
            MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(clean);
            // The loser may get its CONNACK and, at once, the close of the takeover. Paho then sometimes never completes
            // connect() (seen twice in 20 runs: the broker had logged the takeover and closed the socket, Paho still
            // waited after 30 s; MqttClient waits without limit by default). A bounded wait keeps the round bounded;
            // the broker's side, one connection and one online session, is asserted below.
            c.setTimeToWait(10_000);
            go.await();
            try {
              c.connect(o);
            } catch (Exception e) {
              // losing the race may also mean being refused or dropped during CONNECT
            }
            return c;
          }));
        }
        go.countDown();
        List<MqttClient> clients = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
          try {
            clients.add(attempts.get(node).get(30, TimeUnit.SECONDS));
          } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the CONNECT of " + id + " to node " + node + " got neither a CONNACK nor a close in 30 s; "
                + sessionsOf(cluster, id), e);
          }
        }
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(200))
            .until(() -> clients.stream().filter(MqttClient::isConnected).count() == 1);
        // and it stays that way: the winner is not taken down by a late step of the loser
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
            .until(() -> clients.stream().filter(MqttClient::isConnected).count() == 1);
        long sessions = 0;
        for (int node = 0; node < 2; node++) {
          var s = cluster.node(node).broker().node().sessions().get(id);
          if (s != null && s.isOnline()) {
            sessions++;
          }
        }
        assertThat(sessions).as("online sessions of %s across the cluster", id).isEqualTo(1);
        for (MqttClient c : clients) {
          if (c.isConnected()) {
            c.disconnect();
          }
          c.close();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Where each node stands with the client id: for the report of a CONNECT that hangs. */
  private static String sessionsOf(ClusterFixture cluster, String id) {
    StringBuilder b = new StringBuilder();
    for (int node = 0; node < 2; node++) {
      var s = cluster.node(node).broker().node().sessions().get(id);
      b.append("node ").append(node).append(" (").append(cluster.node(node).nodeId()).append("): ");
      b.append(s == null ? "no session" : "session online=" + s.isOnline() + " ended=" + s.hasEnded()
          + " latestClaim=" + s.latestClaim());
      b.append("; ");
    }
    return b.toString();
  }
}
