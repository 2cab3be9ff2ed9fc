package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A real split brain between two nodes (their member links cut by relays, each side declaring the other dead),
 * a client id connected on both sides meanwhile, then the heal: exactly one connection of that client id stays,
 * the one the merged registry names.
 */
class SplitBrainClientIdTest {

  @Test
  void afterTheHealAClientIdIsConnectedOnlyOnce() throws Exception {
    int portA = freePort();
    int portB = freePort();
    try (MemberProxy toA = new MemberProxy(portA); MemberProxy toB = new MemberProxy(portB);
         ClusterFixture cluster = ClusterFixture.start(0,
             ClusterSettings.MEMBERS, "127.0.0.1:" + toA.port() + ",127.0.0.1:" + toB.port(),
             ClusterSettings.MEMBER_TIMEOUT_SECONDS, 3)) {
      cluster.addNode(ClusterSettings.PORT, portA, ClusterSettings.PUBLIC_ADDRESS, "127.0.0.1:" + toA.port());
      cluster.addNode(ClusterSettings.PORT, portB, ClusterSettings.PUBLIC_ADDRESS, "127.0.0.1:" + toB.port());
      await().atMost(Duration.ofSeconds(30)).until(() -> members(cluster, 0) == 2 && members(cluster, 1) == 2);

      MqttClient onA = connect(cluster, 0);
      toA.cut();
      toB.cut();
      await().atMost(Duration.ofSeconds(30)).until(() -> members(cluster, 0) == 1 && members(cluster, 1) == 1);
      // Each side thinks the other is dead, so B lets the same client id in while A still has it.
      MqttClient onB = connect(cluster, 1);
      assertThat(onA.isConnected()).isTrue();
      assertThat(onB.isConnected()).isTrue();

      toA.heal();
      toB.heal();
      await().atMost(Duration.ofSeconds(60)).until(() -> members(cluster, 0) == 2 && members(cluster, 1) == 2);
      await().atMost(Duration.ofSeconds(45)).until(() -> onA.isConnected() != onB.isConnected());
      // Which side keeps it is the merged registry's choice. B connected last, and B mostly wins, but not always
      // (1 of 2 CI runs on 2026-12-07): both entries were created during the split (B's side had removed A's when A
      // left it), and Hazelcast's latest-update merge seems not to order two fresh entries. The guarantee is one.
      MqttClient survivor = onB.isConnected() ? onB : onA;
      // And it stays that way: no later round takes the survivor down, nor lets the other back.
      Thread.sleep(3000);
      assertThat(survivor.isConnected()).isTrue();
      assertThat(onA.isConnected() != onB.isConnected()).isTrue();
      survivor.disconnect();
      // A merged node still stops gracefully, in bounded time: Hazelcast's wait for the migrations of a leaving member,
      // which can stall after a merge, is bounded by hazelcast.graceful.shutdown.max.wait (await throws past its own).
      cluster.node(1).stop().await(40, TimeUnit.SECONDS);
      cluster.node(0).stop().await(40, TimeUnit.SECONDS);
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

  private static MqttClient connect(ClusterFixture cluster, int node) throws Exception {
    MqttClient c = new MqttClient(cluster.uri(node), "twin", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setAutomaticReconnect(false);
    c.connect(o);
    return c;
  }
}
