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

/** The wills of a node's clients are published by a survivor when that node dies without a word. */
class DeadNodeWillTest {

  @Test
  void aSurvivorPublishesTheWillsOfADeadNodesClients() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      MqttClient watcher = new MqttClient(cluster.uri(0), "watcher", new MemoryPersistence());
      watcher.connect();
      BlockingQueue<String> wills = new LinkedBlockingQueue<>();
      watcher.subscribe("will/#", 1, (t, m) -> wills.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));

      MqttClient doomed = new MqttClient(cluster.uri(1), "doomed", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setWill("will/doomed", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
      doomed.connect(o);
      var willsMap = cluster.node(0).hazelcast().getMap(HazelcastConfigs.WILLS);
      await().atMost(Duration.ofSeconds(10)).until(() -> willsMap.containsKey("doomed"));

      // The node dies: its Hazelcast member vanishes without leaving; its MQTT socket even stays open.
      cluster.node(1).hazelcast().getLifecycleService().terminate();
      assertThat(wills.poll(30, TimeUnit.SECONDS)).isEqualTo("will/doomed=gone");
      assertThat(willsMap.containsKey("doomed")).isFalse();
      assertThat(wills.poll(500, TimeUnit.MILLISECONDS)).as("published once").isNull();
      doomed.disconnectForcibly(0, 100, false);
      watcher.disconnect();
    }
  }
}
