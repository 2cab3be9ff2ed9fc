package io.meshmq.cluster;

import static io.meshmq.broker.test.MqttPackets.PUBCOMP;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.PUBREC;
import static io.meshmq.broker.test.MqttPackets.PUBREL;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
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
 * QoS 2 stays exactly once when the node holding a persistent session dies in the middle of an exchange: the
 * survivor that recovers the session knows the packet ids in flight both ways.
 */
class Qos2AcrossNodeDeathTest {

  private static final Duration RECOVERY = Duration.ofSeconds(40);

  @Test
  void outboundQos2IsResentUnderItsPacketIdOrOnlyReleased() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      RawMqttClient sub = RawMqttClient.open(cluster.node(1).mqttPort());
      sub.connect(MqttPackets.connect(V3_1_1).clientId("q2-sub").cleanStart(false));
      sub.subscribe(1, "q2o/#", 2);
      sub.expect(SUBACK);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("q2o/t").isEmpty());

      MqttClient pub = new MqttClient(cluster.uri(0), "q2o-pub", new MemoryPersistence());
      pub.connect();
      pub.publish("q2o/t", "first".getBytes(StandardCharsets.UTF_8), 2, false);
      pub.publish("q2o/t", "second".getBytes(StandardCharsets.UTF_8), 2, false);
      RawMqttClient.Packet first = sub.expect(PUBLISH);
      RawMqttClient.Packet second = sub.expect(PUBLISH);
      assertThat(List.of(first.payloadText(), second.payloadText())).containsExactly("first", "second");
      // The client takes the second one (PUBREC, the broker answers PUBREL) and never answers the first.
      sub.write(MqttPackets.ack(PUBREC, second.packetId()));
      assertThat(sub.expect(PUBREL).packetId()).isEqualTo(second.packetId());

      cluster.node(1).hazelcast().getLifecycleService().terminate();
      sub.abort();
      awaitRecovered(cluster, "q2-sub");

      RawMqttClient back = RawMqttClient.open(cluster.node(2).mqttPort());
      assertThat(back.connect(MqttPackets.connect(V3_1_1).clientId("q2-sub").cleanStart(false)).sessionPresent()).isTrue();
      // The first message again under its packet id, and only the PUBREL of the second: the client already has
      // it and must not see it as new. (MQTT orders PUBLISH and PUBREL each among their own kind, not together.)
      List<RawMqttClient.Packet> resent = List.of(back.readPacket(RawMqttClient.TIMEOUT), back.readPacket(RawMqttClient.TIMEOUT));
      RawMqttClient.Packet again = resent.stream().filter(p -> p.type() == PUBLISH).findFirst().orElseThrow();
      assertThat(again.payloadText()).isEqualTo("first");
      assertThat(again.packetId()).isEqualTo(first.packetId());
      assertThat(again.dup()).isTrue();
      RawMqttClient.Packet release = resent.stream().filter(p -> p.type() == PUBREL).findFirst().orElseThrow();
      assertThat(release.packetId()).isEqualTo(second.packetId());
      back.write(MqttPackets.ack(PUBREC, first.packetId()));
      assertThat(back.expect(PUBREL).packetId()).isEqualTo(first.packetId());
      back.write(MqttPackets.ack(PUBCOMP, first.packetId()), MqttPackets.ack(PUBCOMP, second.packetId()));
      assertThat(back.pollPacket(Duration.ofMillis(500))).isNull();
      back.close();
      pub.disconnect();
    }
  }

  @Test
  void inboundQos2HeldBeforeTheNodeDiedIsNotRoutedAgain() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3)) {
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      MqttClient sub = new MqttClient(cluster.uri(0), "q2i-sub", new MemoryPersistence());
      sub.setCallback(new MqttCallback() {
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
      sub.connect();
      sub.subscribe("q2i/#", 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(1).routes().remoteNodes("q2i/t").isEmpty());

      RawMqttClient pub = RawMqttClient.open(cluster.node(1).mqttPort());
      pub.connect(MqttPackets.connect(V3_1_1).clientId("q2@pub%40").cleanStart(false));
      pub.publish("q2i/t", 2, 7, "once");
      assertThat(pub.expect(PUBREC).packetId()).isEqualTo(7);
      await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("once"));

      // The node dies before the PUBREL; as far as the client knows, its PUBREC may never have come.
      cluster.node(1).hazelcast().getLifecycleService().terminate();
      pub.abort();
      awaitRecovered(cluster, "q2@pub%40");

      RawMqttClient back = RawMqttClient.open(cluster.node(2).mqttPort());
      assertThat(back.connect(MqttPackets.connect(V3_1_1).clientId("q2@pub%40").cleanStart(false)).sessionPresent()).isTrue();
      back.write(MqttPackets.publish(V3_1_1, "q2i/t".getBytes(StandardCharsets.UTF_8), 2, false, true, 7, null,
          "once".getBytes(StandardCharsets.UTF_8)));
      assertThat(back.expect(PUBREC).packetId()).isEqualTo(7);
      back.write(MqttPackets.ack(PUBREL, 7));
      assertThat(back.expect(PUBCOMP).packetId()).isEqualTo(7);
      // The id is free again: a new message under it is routed.
      back.publish("q2i/t", 2, 7, "next");
      assertThat(back.expect(PUBREC).packetId()).isEqualTo(7);
      back.write(MqttPackets.ack(PUBREL, 7));
      assertThat(back.expect(PUBCOMP).packetId()).isEqualTo(7);
      await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("next"));
      assertThat(got).containsExactly("once", "next");
      back.close();
      sub.disconnect();
    }
  }

  private static void awaitRecovered(ClusterFixture cluster, String clientId) {
    await().atMost(RECOVERY).until(() -> cluster.node(0).broker().node().sessions().get(clientId) != null
        || cluster.node(2).broker().node().sessions().get(clientId) != null);
  }
}
