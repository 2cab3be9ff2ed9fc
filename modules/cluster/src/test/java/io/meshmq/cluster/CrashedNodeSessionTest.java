package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A node dies with a persistent session on it: a survivor rebuilds the session from the session store, its
 * queue keeps filling, and the client finds every acknowledged message when it comes back to another node.
 */
class CrashedNodeSessionTest {

  @Test
  void persistentSessionsOfADeadNodeAreRecoveredWithTheirMessages() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(false);
      o.setMaxInflight(1000);
      MqttClient x = new MqttClient(cluster.uri(1), "crasher", new MemoryPersistence());
      x.connect(o);
      x.subscribe("cr/#", 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("cr/t").isEmpty());
      x.disconnect();

      MqttClient pub = new MqttClient(cluster.uri(0), "cr-pub", new MemoryPersistence());
      MqttConnectOptions po = new MqttConnectOptions();
      po.setMaxInflight(1000);
      pub.connect(po);
      for (int i = 0; i < 20; i++) {
        pub.publish("cr/t", ("a" + i).getBytes(StandardCharsets.UTF_8), 1, false); // acknowledged = stored
      }

      cluster.node(1).hazelcast().getLifecycleService().terminate(); // the node dies without a word
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(0).broker().node().sessions().get("crasher") != null
          || cluster.node(2).broker().node().sessions().get("crasher") != null);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("cr/t").isEmpty()
          || cluster.node(0).broker().node().subscriptions().size() > 0);
      for (int i = 0; i < 20; i++) {
        pub.publish("cr/t", ("b" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }

      MqttClient back = new MqttClient(cluster.uri(2), "crasher", new MemoryPersistence());
      back.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          got.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      assertThat(back.connectWithResult(o).getSessionPresent()).isTrue();
      await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 40);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        expected.add("a" + i);
      }
      for (int i = 0; i < 20; i++) {
        expected.add("b" + i);
      }
      assertThat(got).containsExactlyElementsOf(expected);
      back.disconnect();
      pub.disconnect();
    }
  }
}
