package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A real split brain between two nodes (their member links cut by relays, each side declaring the other dead),
 * client ids connected on both sides meanwhile, then the heal: exactly one connection of each client id stays,
 * the one that connected last, even when the two connections came within the same second.
 */
class SplitBrainClientIdTest {

  @Test
  void afterTheHealEachClientIdIsConnectedOnlyOnceToItsLatestConnection() throws Exception {
    int portA = freePort();
    int portB = freePort();
    try (MemberProxy toA = new MemberProxy(portA); MemberProxy toB = new MemberProxy(portB);
         ClusterFixture cluster = ClusterFixture.start(0,
             ClusterSettings.MEMBERS, "127.0.0.1:" + toA.port() + ",127.0.0.1:" + toB.port(),
             ClusterSettings.MEMBER_TIMEOUT_SECONDS, 3)) {
      cluster.addNode(ClusterSettings.PORT, portA, ClusterSettings.PUBLIC_ADDRESS, "127.0.0.1:" + toA.port());
      cluster.addNode(ClusterSettings.PORT, portB, ClusterSettings.PUBLIC_ADDRESS, "127.0.0.1:" + toB.port());
      await("the two nodes to form a cluster").atMost(Duration.ofSeconds(30))
          .until(() -> members(cluster, 0) == 2 && members(cluster, 1) == 2);

      MqttClient before = step("connect twin-1 to A before the split", () -> connect(cluster, 0, "twin-1"));
      toA.cut();
      toB.cut();
      await("each node to see the other gone").atMost(Duration.ofSeconds(30))
          .until(() -> members(cluster, 0) == 1 && members(cluster, 1) == 1);
      // The first registry write on each side waits for Hazelcast to promote the departed member's partitions:
      // done by a client of its own, so that the four connections below come within milliseconds.
      for (int node = 0; node < 2; node++) {
        int n = node;
        step("connect a warm-up client to node " + n, () -> connect(cluster, n, "warm-up-" + n)).disconnect();
      }
      // Each side thinks the other is dead, so each lets in a client id the other has. Of each pair, the second
      // connects a few milliseconds after the first: Hazelcast's own update times (whole seconds) would tie them.
      // Whichever side merges into the other, one id has its later claim there and the other on the other side.
      MqttClient oneOnB = step("connect twin-1 to B in the split", () -> connect(cluster, 1, "twin-1"));
      MqttClient twoOnA = step("connect twin-2 to A in the split", () -> connect(cluster, 0, "twin-2"));
      Thread.sleep(20);
      MqttClient oneOnA = step("connect twin-1 to A again in the split", () -> connect(cluster, 0, "twin-1"));
      MqttClient twoOnB = step("connect twin-2 to B in the split", () -> connect(cluster, 1, "twin-2"));
      await("A to take twin-1's first connection down").atMost(Duration.ofSeconds(10)).until(() -> !before.isConnected());
      assertThat(oneOnB.isConnected() && oneOnA.isConnected() && twoOnA.isConnected() && twoOnB.isConnected())
          .as("the four connections of the split").isTrue();

      toA.heal();
      toB.heal();
      await("the heal").atMost(Duration.ofSeconds(60)).until(() -> members(cluster, 0) == 2 && members(cluster, 1) == 2);
      await("the earlier connections of twin-1 (on B) and twin-2 (on A) taken down").atMost(Duration.ofSeconds(45))
          .until(() -> !oneOnB.isConnected() && !twoOnA.isConnected());
      assertThat(oneOnA.isConnected()).as("twin-1's latest connection, on A").isTrue();
      assertThat(twoOnB.isConnected()).as("twin-2's latest connection, on B").isTrue();
      // And it stays that way: no later round takes the survivors down, nor lets the others back.
      Thread.sleep(3000);
      assertThat(oneOnA.isConnected() && twoOnB.isConnected()).as("the survivors, 3 s later").isTrue();
      assertThat(oneOnB.isConnected() || twoOnA.isConnected()).as("the losers, 3 s later").isFalse();
      step("disconnect twin-1 from A", () -> {
        oneOnA.disconnect();
        return null;
      });
      step("disconnect twin-2 from B", () -> {
        twoOnB.disconnect();
        return null;
      });
      // A merged node still stops gracefully, in bounded time: Hazelcast's wait for the migrations of a leaving member,
      // which can stall after a merge, is bounded by hazelcast.graceful.shutdown.max.wait (await throws past its own).
      cluster.node(1).stop().await(40, TimeUnit.SECONDS);
      cluster.node(0).stop().await(40, TimeUnit.SECONDS);
    }
  }

  /** Runs one step of the scenario; a failure names the step (a bare "Connection lost" says nothing). */
  private static <T> T step(String name, Callable<T> action) {
    try {
      return action.call();
    } catch (Exception e) {
      throw new AssertionError(name + ": " + e, e);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int members(ClusterFixture cluster, int i) {
    return cluster.node(i).hazelcast().getCluster().getMembers().size();
  }

  private static MqttClient connect(ClusterFixture cluster, int node, String clientId) throws Exception {
    MqttClient c = new MqttClient(cluster.uri(node), clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setAutomaticReconnect(false);
    c.connect(o);
    return c;
  }
}
