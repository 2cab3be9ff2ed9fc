package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** A node that leaves: the others forget its routes and the cluster keeps routing between the rest. */
class NodeDepartureTest {

  @Test
  void routesOfADepartedNodeAreDroppedAndTheRestKeepsWorking() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      MqttClient onLeaving = client(cluster.uri(1), "leaving");
      onLeaving.subscribe("d/#", 1);
      MqttClient onStaying = client(cluster.uri(2), "staying");
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      onStaying.subscribe("d/#", 1, (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
      RouteTable routesOfA = routesOf(cluster.node(0));
      await().atMost(Duration.ofSeconds(10)).until(() -> routesOfA.remoteNodes("d/x").size() == 2);

      String leavingId = cluster.node(1).nodeId();
      cluster.stopNode(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> !routesOfA.remoteNodes("d/x").contains(leavingId));
      assertThat(routesOfA.remoteNodes("d/x")).containsExactly(cluster.node(2).nodeId());

      MqttClient pub = client(cluster.uri(0), "pub");
      pub.publish("d/x", "after".getBytes(StandardCharsets.UTF_8), 1, false);
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
      assertThat(cluster.node(0).forwardFailures()).isZero();
      pub.disconnect();
      onStaying.disconnect();
    }
  }

  private static RouteTable routesOf(ClusterNode node) {
    return node.routes();
  }

  private static MqttClient client(String uri, String id) throws Exception {
    MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setAutomaticReconnect(false);
    c.connect(o);
    return c;
  }
}
