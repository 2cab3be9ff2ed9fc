package io.meshmq.broker.test;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The push-back exchange, wherever publisher and subscriber are connected: the publisher sends QoS 1 messages to a
 * subscriber that takes none yet; only as many are acknowledged as fit its in-flight window and queue; then, as
 * the subscriber acknowledges, every message arrives in order and every PUBACK comes, once.
 */
public final class PushBackExchange {

  private PushBackExchange() {
  }

  public static void run(RawMqttClient pub, RawMqttClient sub, String topic, int window, int queue, int messages)
      throws IOException {
    for (int i = 1; i <= messages; i++) {
      pub.publish(topic, 1, i, "m" + i);
    }
    List<Integer> acked = new ArrayList<>();
    for (RawMqttClient.Packet p; (p = pub.pollPacket(Duration.ofMillis(1500))) != null; ) {
      assertThat(p.type()).isEqualTo(PUBACK);
      acked.add(p.packetId());
    }
    assertThat(acked).as("PUBACKs while the subscriber takes nothing").hasSize(window + queue);

    List<String> received = new ArrayList<>();
    while (received.size() < messages) {
      RawMqttClient.Packet p = sub.expect(PUBLISH);
      received.add(p.payloadText());
      sub.write(MqttPackets.ack(PUBACK, p.packetId()));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= messages; i++) {
      expected.add("m" + i);
    }
    assertThat(received).containsExactlyElementsOf(expected);
    while (acked.size() < messages) {
      acked.add(pub.expect(PUBACK).packetId());
    }
    assertThat(acked).doesNotHaveDuplicates().hasSize(messages);
  }
}
