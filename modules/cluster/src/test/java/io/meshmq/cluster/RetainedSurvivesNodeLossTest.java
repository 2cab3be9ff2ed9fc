package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** A retained message outlives the node it was published on (its Hazelcast entry has a backup elsewhere). */
class RetainedSurvivesNodeLossTest {

  @Test
  void retainedMessageSurvivesTheDeathOfTheNodeItWasPublishedOn() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      MqttClient pub = new MqttClient(cluster.uri(1), "ret-origin", new MemoryPersistence());
      pub.connect();
      for (int i = 0; i < 50; i++) {
        pub.publish("keep/" + i, ("v" + i).getBytes(StandardCharsets.UTF_8), 1, true);
      }
      pub.disconnectForcibly(0, 100, false);
      cluster.node(1).hazelcast().getLifecycleService().terminate(); // dies without a word

      MqttClient late = new MqttClient(cluster.uri(2), "ret-late", new MemoryPersistence());
      late.connect();
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      late.subscribe("keep/#", 1, (t, m) -> got.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
      for (int i = 0; i < 50; i++) {
        assertThat(got.poll(10, TimeUnit.SECONDS)).as("retained message %d", i).isNotNull();
      }
      assertThat(cluster.node(2).broker().node().retained().size()).isEqualTo(50);
      late.disconnect();
    }
  }
}
