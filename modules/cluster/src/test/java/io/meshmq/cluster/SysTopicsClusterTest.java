package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.core.message.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * $SYS in a cluster: each node's figures under its own name (the nodes share one retained store, and used to
 * overwrite each other's $SYS/broker/... values), the cluster's totals once, and a departed node's figures gone.
 */
class SysTopicsClusterTest {

  @Test
  void eachNodeHasItsOwnSysTopicsAndTheClusterItsTotals() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(2, BrokerSettings.SYS_INTERVAL_SECONDS, 1)) {
      String a = cluster.node(0).broker().node().nodeId();
      String b = cluster.node(1).broker().node().nodeId();
      Map<String, String> latest = new ConcurrentHashMap<>();
      MqttClient sys = new MqttClient(cluster.uri(0), "sys-watch", new MemoryPersistence());
      sys.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          latest.put(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      sys.connect();
      sys.subscribe("$SYS/#", 0);

      await("both nodes' figures and the cluster's").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(latest).containsKeys("$SYS/brokers/" + a + "/uptime", "$SYS/brokers/" + b + "/uptime",
            "$SYS/brokers/" + a + "/clients/connected", "$SYS/brokers/" + b + "/clients/connected");
        assertThat(latest.get("$SYS/cluster/nodes")).isEqualTo("2");
        // the watcher itself, connected to a (every node's count reaches the oldest within a second)
        assertThat(latest.get("$SYS/cluster/clients/connected")).isEqualTo("1");
      });
      assertThat(latest.get("$SYS/brokers/" + a + "/node")).isEqualTo(a);
      assertThat(latest.get("$SYS/brokers/" + b + "/node")).isEqualTo(b);
      // Mosquitto's single-broker names would mix the two nodes' figures: a cluster does not publish them.
      assertThat(latest.keySet()).noneMatch(t -> t.startsWith("$SYS/broker/"));
      assertThat(retained(cluster, "$SYS/broker/#")).isEmpty();

      cluster.stopNode(1);
      await("the departed node's figures cleared").atMost(Duration.ofSeconds(20))
          .until(() -> retained(cluster, "$SYS/brokers/" + b + "/#").isEmpty());
      assertThat(retained(cluster, "$SYS/brokers/" + a + "/#")).isNotEmpty();
      await("the cluster's node count").atMost(Duration.ofSeconds(20))
          .until(() -> "1".equals(latest.get("$SYS/cluster/nodes")));
      sys.disconnect();
    }
  }

  private static List<Message> retained(ClusterFixture cluster, String filter) throws Exception {
    return cluster.node(0).broker().node().retained().match(filter).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }
}
