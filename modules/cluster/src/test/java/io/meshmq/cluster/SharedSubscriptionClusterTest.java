package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shared subscriptions across nodes: one delivery per group, whichever nodes the members are on. */
class SharedSubscriptionClusterTest {

  private static ClusterFixture cluster;

  @BeforeAll
  static void start() {
    cluster = ClusterFixture.start(3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static MqttClient member(int node, String id, String filter, List<String> got) throws Exception {
    MqttClient c = new MqttClient(cluster.uri(node), id, new MemoryPersistence());
    // A client-wide callback: Paho matches per-subscription listeners against the filter, and a $share
    // filter never matches a topic.
    c.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
        got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
      }
    });
    c.connect();
    c.subscribe(filter, 1);
    return c;
  }

  private static void awaitSharedRoutes(int publisherNode, String topic, int remoteMembers) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      int[] n = {0};
      cluster.node(publisherNode).routes().matchShared(topic, (g, f, node) -> n[0]++);
      return n[0] >= remoteMembers;
    });
  }

  @Test
  void eachMessageGoesToOneMemberOfTheGroupAcrossAllNodes() throws Exception {
    List<String> a = Collections.synchronizedList(new ArrayList<>());
    List<String> b = Collections.synchronizedList(new ArrayList<>());
    List<String> c = Collections.synchronizedList(new ArrayList<>());
    List<String> plain = Collections.synchronizedList(new ArrayList<>());
    List<MqttClient> clients = List.of(member(0, "m-a", "$share/g1/s/#", a), member(1, "m-b", "$share/g1/s/#", b),
        member(2, "m-c", "$share/g1/s/#", c), member(2, "plain", "s/#", plain));
    awaitSharedRoutes(0, "s/x", 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("s/x").isEmpty());
    MqttClient pub = new MqttClient(cluster.uri(0), "s-pub", new MemoryPersistence());
    pub.connect();
    for (int i = 0; i < 30; i++) {
      pub.publish("s/x", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> a.size() + b.size() + c.size() >= 30 && plain.size() >= 30);
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    Set<String> unique = new HashSet<>(all);
    assertThat(all).hasSize(30);
    assertThat(unique).hasSize(30);
    // round robin across the three nodes that have members
    assertThat(List.of(a.size(), b.size(), c.size())).containsOnly(10);
    assertThat(plain).hasSize(30);
    pub.disconnect();
    for (MqttClient client : clients) {
      client.disconnect();
    }
  }

  @Test
  void aGroupWithMembersOnlyOnAnotherNodeGetsEveryMessageThere() throws Exception {
    List<String> far = Collections.synchronizedList(new ArrayList<>());
    MqttClient m = member(2, "far", "$share/g2/far/#", far);
    awaitSharedRoutes(0, "far/x", 1);
    MqttClient pub = new MqttClient(cluster.uri(0), "far-pub", new MemoryPersistence());
    pub.connect();
    for (int i = 0; i < 10; i++) {
      pub.publish("far/x", ("f" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> far.size() >= 10);
    assertThat(far).hasSize(10);
    pub.disconnect();
    m.disconnect();
  }
}
