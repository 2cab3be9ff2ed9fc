package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** A shared-group member's node dies with unacknowledged messages: another member, on another node, gets them. */
class SharedMemberNodeDeathTest {

  @Test
  void unacknowledgedMessagesOfAMemberOnADeadNodeGoToAnotherMember() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      Set<String> atSurvivor = Collections.synchronizedSet(new HashSet<>());
      MqttClient survivor = new MqttClient(cluster.uri(2), "member-2", new MemoryPersistence());
      survivor.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          atSurvivor.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      survivor.connect();
      survivor.subscribe("$share/g/sd/#", 1);

      // A persistent member on node 1 that receives but never acknowledges.
      RawMqttClient doomed = RawMqttClient.open(cluster.node(1).mqttPort());
      doomed.connect(MqttPackets.connect(MqttPackets.V3_1_1).clientId("member-1").cleanStart(false));
      doomed.subscribe(1, "$share/g/sd/#", 1);
      doomed.expect(9); // SUBACK
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        int[] n = {0};
        cluster.node(0).routes().matchShared("sd/x", (g, f, node) -> n[0]++);
        return n[0] == 2;
      });

      MqttClient pub = new MqttClient(cluster.uri(0), "sd-pub", new MemoryPersistence());
      MqttConnectOptions po = new MqttConnectOptions();
      po.setMaxInflight(1000);
      pub.connect(po);
      for (int i = 0; i < 20; i++) {
        pub.publish("sd/x", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      // Round robin across the two nodes: about half reached the member that does not acknowledge.
      await().atMost(Duration.ofSeconds(10)).until(() -> atSurvivor.size() >= 5);
      assertThat(atSurvivor.size()).isLessThan(20);

      cluster.node(1).hazelcast().getLifecycleService().terminate(); // the member's node dies
      await().atMost(Duration.ofSeconds(40)).until(() -> atSurvivor.size() == 20);
      assertThat(atSurvivor).hasSize(20);
      pub.disconnect();
      survivor.disconnect();
    }
  }
}
