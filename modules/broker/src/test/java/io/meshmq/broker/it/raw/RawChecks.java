package io.meshmq.broker.it.raw;

import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.PINGRESP;
import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.RawMqttClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Assertions shared by the raw conformance tests. */
final class RawChecks {

  private static final AtomicInteger IDS = new AtomicInteger(1000);

  private RawChecks() {
  }

  /** Opens a connection and completes a CONNECT / CONNACK (return code 0). */
  static RawMqttClient connected(int port, int version, String clientId) throws IOException {
    return connected(port, MqttPackets.connect(version).clientId(clientId));
  }

  static RawMqttClient connected(int port, MqttPackets.Connect connect) throws IOException {
    RawMqttClient c = RawMqttClient.open(port);
    Packet ack = c.connect(connect);
    assertThat(ack.type()).as("first packet after CONNECT: %s", ack).isEqualTo(CONNACK);
    assertThat(ack.reasonCode()).as("CONNACK code: %s", ack).isZero();
    return c;
  }

  /** The connection is open and served: PINGREQ is answered by PINGRESP (as the very next packet). */
  static void assertOpen(RawMqttClient c) throws IOException {
    c.ping();
    Packet p = c.readPacket(TIMEOUT);
    assertThat(p.type()).as("answer to PINGREQ: %s", p).isEqualTo(PINGRESP);
  }

  /**
   * The client is fully served: it subscribes to {@code topic} at QoS 1, publishes a QoS 1 message to it and
   * gets both the PUBACK and its own message back.
   */
  static void assertServed(RawMqttClient c, String topic) throws IOException {
    int subId = nextId();
    c.subscribe(subId, topic, 1);
    Packet suback = c.expect(SUBACK);
    assertThat(suback.packetId()).isEqualTo(subId);
    assertThat(suback.codes()).containsExactly(1);
    int pubId = nextId();
    String payload = "probe-" + pubId;
    c.publish(topic, 1, pubId, payload);
    List<Packet> got = new ArrayList<>(List.of(c.readPacket(TIMEOUT), c.readPacket(TIMEOUT)));
    assertThat(got).as("PUBACK and own message").anySatisfy(p -> {
      assertThat(p.type()).isEqualTo(PUBACK);
      assertThat(p.packetId()).isEqualTo(pubId);
    }).anySatisfy(p -> {
      assertThat(p.type()).isEqualTo(PUBLISH);
      assertThat(p.topic()).isEqualTo(topic);
      assertThat(p.payloadText()).isEqualTo(payload);
    });
    for (Packet p : got) {
      if (p.type() == PUBLISH) {
        c.write(MqttPackets.ack(PUBACK, p.packetId()));
      }
    }
  }

  /** Waits for the broker to close the connection; fails if it does not within the timeout. */
  static List<Packet> assertClosed(RawMqttClient c) throws IOException {
    boolean closed = c.awaitClosed(TIMEOUT);
    assertThat(closed).as("connection closed by the broker within %s (packets received meanwhile: %s)", TIMEOUT,
        c.packetsBeforeClose()).isTrue();
    return c.packetsBeforeClose();
  }

  static int nextId() {
    return IDS.updateAndGet(i -> i >= 60_000 ? 1000 : i + 1);
  }
}
