package io.meshmq.broker.it.raw;

import static io.meshmq.broker.it.raw.RawChecks.assertOpen;
import static io.meshmq.broker.it.raw.RawChecks.assertServed;
import static io.meshmq.broker.it.raw.RawChecks.connected;
import static io.meshmq.broker.test.MqttPackets.AUTH;
import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.DISCONNECT;
import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBCOMP;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.PUBREC;
import static io.meshmq.broker.test.MqttPackets.PUBREL;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.SUBSCRIBE;
import static io.meshmq.broker.test.MqttPackets.V3_1;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static io.meshmq.broker.test.MqttPackets.bytes;
import static io.meshmq.broker.test.MqttPackets.concat;
import static io.meshmq.broker.test.MqttPackets.filter;
import static io.meshmq.broker.test.MqttPackets.packet;
import static io.meshmq.broker.test.RawMqttClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the broker does with protocol violations, byte for byte, for MQTT 3.1.1 and 5.0. Every test also checks
 * that a well-behaved client connected to the same broker is still served after the bad client was dealt with.
 */
class BadInputTest {

  private static final int MAX_PACKET_SIZE = 2048;

  private BrokerFixture broker;
  private RawMqttClient good;
  private final List<RawMqttClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    broker = BrokerFixture.start(BrokerSettings.MAX_PACKET_SIZE, MAX_PACKET_SIZE);
    good = track(connected(broker.port(), V3_1_1, "good-client"));
  }

  @AfterEach
  void stop() {
    for (RawMqttClient c : clients) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    broker.close();
  }

  // ---------------------------------------------------------------- malformed packets

  static Stream<Arguments> malformedPackets() {
    List<Arguments> cases = new ArrayList<>();
    for (int v : new int[] {V3_1_1, V5}) {
      cases.add(Arguments.of(v, "remaining length of 5 bytes", bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)));
      cases.add(Arguments.of(v, "PUBLISH whose topic length runs past the packet", packet(PUBLISH, 0, bytes(0x00, 0x10, 'a'))));
      cases.add(Arguments.of(v, "PUBLISH with QoS 3", packet(PUBLISH, 6, concat(MqttPackets.utf8("a/b"), bytes(0, 1)))));
      cases.add(Arguments.of(v, "reserved packet type 0", bytes(0x00, 0x00)));
      byte[] subscribe = MqttPackets.subscribe(v, 1, "a/b", 0);
      subscribe[0] = (byte) (SUBSCRIBE << 4);
      cases.add(Arguments.of(v, "SUBSCRIBE with fixed-header flags 0000", subscribe));
    }
    cases.add(Arguments.of(V3_1_1, "packet type 15 (reserved in 3.1.1)", bytes(0xF0, 0x00)));
    return cases.stream();
  }

  @ParameterizedTest(name = "MQTT {0}: {1}")
  @MethodSource("malformedPackets")
  void malformedPacketClosesTheConnection(int version, String name, byte[] malformed) throws IOException {
    RawMqttClient bad = track(connected(broker.port(), version, "bad-client"));
    bad.write(malformed);
    List<Packet> before = closedWhileGoodServed(bad, "probe/malformed");
    // 3.1.1 has no server DISCONNECT; 5.0 (4.13.1) allows a DISCONNECT with 0x81 before closing.
    assertDisconnectBeforeClose(version, before, 0x81);
  }

  // ---------------------------------------------------------------- packet size

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void packetOverMaximumPacketSizeIsRefused(int version) throws IOException {
    RawMqttClient bad = track(RawMqttClient.open(broker.port()));
    Packet connack = bad.connect(MqttPackets.connect(version).clientId("big-client"));
    assertThat(connack.reasonCode()).isZero();
    if (version == V5) {
      assertThat(connack.property(0x27)).as("Maximum Packet Size in CONNACK").isEqualTo((long) MAX_PACKET_SIZE);
    }
    bad.write(MqttPackets.publish(version, "big/t", 0, 0, new byte[MAX_PACKET_SIZE + 1000]));
    List<Packet> before = closedWhileGoodServed(bad, "probe/oversized");
    assertExactDisconnectBeforeClose(version, before, 0x95);
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void packetOfExactlyMaximumPacketSizeIsAccepted(int version) throws IOException {
    RawMqttClient c = track(connected(broker.port(), version, "edge-client"));
    c.subscribe(1, "edge/t", 1);
    c.expect(SUBACK);
    byte[] publish = publishOfTotalSize(version, "edge/t", MAX_PACKET_SIZE);
    assertThat(publish).hasSize(MAX_PACKET_SIZE);
    c.write(publish);
    Packet echoed = c.readPacket(TIMEOUT);
    assertThat(echoed.type()).as("own message back: %s", echoed).isEqualTo(PUBLISH);
    assertThat(echoed.topic()).isEqualTo("edge/t");
    assertOpen(c);
  }

  /**
   * MQTT 5 3.2.2.3.6: the Maximum Packet Size is the total packet size (fixed header included); a client that
   * sends more commits a protocol error answered with DISCONNECT 0x95. The setting documents the same meaning
   * for 3.1.1 ("largest MQTT packet accepted").
   */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void packetOneByteOverMaximumPacketSizeIsRefused(int version) throws IOException {
    RawMqttClient bad = track(connected(broker.port(), version, "edge-client"));
    byte[] publish = publishOfTotalSize(version, "edge/t", MAX_PACKET_SIZE + 1);
    assertThat(publish).hasSize(MAX_PACKET_SIZE + 1);
    bad.write(publish);
    List<Packet> before = closedWhileGoodServed(bad, "probe/edge");
    assertExactDisconnectBeforeClose(version, before, 0x95);
  }

  // ---------------------------------------------------------------- topic names

  @ParameterizedTest(name = "MQTT {0}: {1}")
  @MethodSource("wildcardTopics")
  void publishToWildcardTopicClosesTheConnection(int version, String topic) throws IOException {
    RawMqttClient bad = track(connected(broker.port(), version, "wild-client"));
    bad.publish(topic, 1, 1, "x");
    List<Packet> before = closedWhileGoodServed(bad, "probe/wildcard");
    // MQTT-3.3.2-2: no wildcards in a topic name. 5.0: the packet parses, so 0x90 Topic Name Invalid.
    assertExactDisconnectBeforeClose(version, before, 0x90);
  }

  static Stream<Arguments> wildcardTopics() {
    return Stream.of(Arguments.of(V3_1_1, "a/+"), Arguments.of(V3_1_1, "a/#"), Arguments.of(V5, "a/+"), Arguments.of(V5, "a/#"));
  }

  static Stream<Arguments> invalidUtf8Topics() {
    List<Arguments> cases = new ArrayList<>();
    for (int v : new int[] {V3_1_1, V5}) {
      cases.add(Arguments.of(v, "overlong '/' C0 AF", bytes('a', 0xC0, 0xAF, 'b')));
      cases.add(Arguments.of(v, "UTF-16 surrogate U+D800 as ED A0 80", bytes('a', 0xED, 0xA0, 0x80)));
      cases.add(Arguments.of(v, "lone continuation byte 80", bytes('a', 0x80)));
      cases.add(Arguments.of(v, "encoded U+0000", bytes('a', 0x00, 'b')));
    }
    return cases.stream();
  }

  /** Ill-formed UTF-8 or U+0000 in a topic name closes the connection (3.1.1 MQTT-1.5.3-1 / -2, 5.0 MQTT-1.5.4-1 / -2). */
  @ParameterizedTest(name = "MQTT {0}: {1}")
  @MethodSource("invalidUtf8Topics")
  void invalidUtf8InTopicNameClosesTheConnection(int version, String name, byte[] topic) throws IOException {
    RawMqttClient bad = track(connected(broker.port(), version, "utf8-client"));
    bad.write(MqttPackets.publish(version, topic, 1, false, false, 1, null, "x".getBytes(StandardCharsets.UTF_8)));
    List<Packet> before = closedWhileGoodServed(bad, "probe/utf8");
    if (version == V3_1_1) {
      assertThat(before).as("3.1.1 has no server DISCONNECT").isEmpty();
    } else {
      assertThat(before).as("5.0: at most a DISCONNECT 0x81 or 0x90 before close").allSatisfy(p -> {
        assertThat(p.type()).isEqualTo(DISCONNECT);
        assertThat(p.reasonCode()).isIn(0x81, 0x90);
      });
    }
  }

  // ---------------------------------------------------------------- topic filters

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void invalidFiltersAreRefusedInSubackAndTheOthersGranted(int version) throws IOException {
    RawMqttClient c = track(connected(broker.port(), version, "filter-client"));
    c.write(MqttPackets.subscribe(version, 7, 0, filter("ok/+", 1), filter("a/#/b", 0), filter("a+", 1)));
    Packet suback = c.expect(SUBACK);
    assertThat(suback.packetId()).isEqualTo(7);
    int refused = version == V5 ? 0x8F : 0x80;
    assertThat(suback.codes()).containsExactly(1, refused, refused);
    assertOpen(c);
    c.publish("ok/x", 1, 8, "granted");
    List<Packet> got = List.of(c.readPacket(TIMEOUT), c.readPacket(TIMEOUT));
    assertThat(got).anySatisfy(p -> {
      assertThat(p.type()).isEqualTo(PUBLISH);
      assertThat(p.topic()).isEqualTo("ok/x");
      assertThat(p.payloadText()).isEqualTo("granted");
    });
    assertServed(good, "probe/filters");
  }

  // ---------------------------------------------------------------- CONNECT rules

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void secondConnectClosesTheConnection(int version) throws IOException {
    RawMqttClient bad = track(connected(broker.port(), version, "twice-client"));
    bad.write(MqttPackets.connect(version).clientId("twice-client").encode());
    List<Packet> before = closedWhileGoodServed(bad, "probe/second-connect");
    // MQTT-3.1.0-2: a second CONNECT is a protocol violation; 5.0 may send DISCONNECT 0x82 first.
    assertDisconnectBeforeClose(version, before, 0x82);
  }

  static Stream<Arguments> packetsBeforeConnect() {
    return Stream.of(
        Arguments.of("SUBSCRIBE", MqttPackets.subscribe(V3_1_1, 1, "a/b", 0)),
        Arguments.of("PUBLISH", MqttPackets.publish(V3_1_1, "a/b", 0, 0, bytes('x'))),
        Arguments.of("PINGREQ", MqttPackets.pingreq()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packetsBeforeConnect")
  void packetBeforeConnectClosesTheConnectionWithoutConnack(String name, byte[] first) throws IOException {
    RawMqttClient bad = track(RawMqttClient.open(broker.port()));
    bad.write(first);
    List<Packet> before = closedWhileGoodServed(bad, "probe/before-connect");
    assertThat(before).as("MQTT-3.1.0-1: nothing but a close, certainly no CONNACK").isEmpty();
  }

  @ParameterizedTest(name = "protocol level {0}")
  @ValueSource(ints = {2, 6})
  void unsupportedProtocolLevelGetsConnack01ThenClose(int level) throws IOException {
    RawMqttClient bad = track(RawMqttClient.open(broker.port()));
    bad.version(V3_1_1).write(MqttPackets.connect(level).protocolName("MQTT").clientId("level-client").encode());
    Packet connack = bad.readPacket(TIMEOUT);
    assertThat(connack.type()).as("%s", connack).isEqualTo(CONNACK);
    assertThat(connack.reasonCode()).as("MQTT-3.1.2-2: unacceptable protocol version").isEqualTo(0x01);
    assertThat(closedWhileGoodServed(bad, "probe/level")).isEmpty();
  }

  static Stream<Arguments> willFlagsWithoutWill() {
    return Stream.of(Arguments.of(V3_1_1, "will QoS 1", 0x02 | 0x08), Arguments.of(V3_1_1, "will retain", 0x02 | 0x20),
        Arguments.of(V5, "will QoS 1", 0x02 | 0x08), Arguments.of(V5, "will retain", 0x02 | 0x20));
  }

  /**
   * With will flag 0, will QoS and will retain must be 0 (3.1.1 MQTT-3.1.2-13 / -15, 5.0 MQTT-3.1.2-11 / -13).
   * 3.1.1 has no return code for it, so MQTT-3.2.2-6 asks for a close without CONNACK; 5.0 may send a CONNACK
   * with a reason code of 0x80 or above first.
   */
  @ParameterizedTest(name = "MQTT {0}: {1} with will flag 0")
  @MethodSource("willFlagsWithoutWill")
  void willFieldsWithoutWillFlagRefuseTheConnection(int version, String name, int flags) throws IOException {
    RawMqttClient bad = track(RawMqttClient.open(broker.port()));
    bad.version(version).write(MqttPackets.connect(version).clientId("will-flags-client").flags(flags).encode());
    List<Packet> before = closedWhileGoodServed(bad, "probe/will-flags");
    if (version == V3_1_1) {
      assertThat(before).as("no CONNACK, or one with a 3.1.1 refusal code (1-5)").allSatisfy(p -> {
        assertThat(p.type()).isEqualTo(CONNACK);
        assertThat(p.reasonCode()).isBetween(1, 5);
      });
    } else {
      assertThat(before).as("no CONNACK, or one with a reason code >= 0x80").allSatisfy(p -> {
        assertThat(p.type()).isEqualTo(CONNACK);
        assertThat(p.reasonCode()).isGreaterThanOrEqualTo(0x80);
      });
    }
  }

  /** MQTT 3.1 (protocol "MQIsdp", level 3) requires a client id of 1 to 23 chars: CONNACK 0x02 then close. */
  @Test
  void mqtt31EmptyClientIdGetsIdentifierRejected() throws IOException {
    RawMqttClient bad = track(RawMqttClient.open(broker.port()));
    bad.version(V3_1).write(MqttPackets.connect(V3_1).clientId("").encode());
    List<Packet> before = closedWhileGoodServed(bad, "probe/mqtt31");
    assertThat(before).as("CONNACK 0x02 identifier rejected before the close").hasSize(1).first().satisfies(p -> {
      assertThat(p.type()).isEqualTo(CONNACK);
      assertThat(p.reasonCode()).isEqualTo(0x02);
    });
  }

  /** MQTT 5 3.15: AUTH when the CONNECT had no Authentication Method is a protocol error. */
  @Test
  void mqtt5AuthWithoutAuthenticationMethodClosesTheConnection() throws IOException {
    RawMqttClient bad = track(connected(broker.port(), V5, "auth-client"));
    bad.write(packet(AUTH, 0, bytes(0x18, 0x00)));
    List<Packet> before = closedWhileGoodServed(bad, "probe/auth");
    assertDisconnectBeforeClose(V5, before, 0x82);
  }

  // ---------------------------------------------------------------- acknowledgements for unknown packet ids

  /** A PUBREL for an id the broker does not hold is answered by PUBCOMP (5.0: reason 0x92, 4.3.3). */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void pubrelForUnknownPacketIdGetsPubcomp(int version) throws IOException {
    RawMqttClient c = track(connected(broker.port(), version, "pubrel-client"));
    c.write(MqttPackets.ack(PUBREL, 77));
    Packet pubcomp = c.readPacket(TIMEOUT);
    assertThat(pubcomp.type()).as("%s", pubcomp).isEqualTo(PUBCOMP);
    assertThat(pubcomp.packetId()).isEqualTo(77);
    assertOpen(c);
    assertServed(c, "acks/pubrel");
    assertServed(good, "probe/pubrel");
    assertThat(pubcomp.reasonCode()).as("PUBCOMP reason code").isEqualTo(version == V5 ? 0x92 : 0);
  }

  /** A PUBREC for an id the broker never sent is answered by PUBREL (5.0: reason 0x92), the connection kept. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void pubrecForUnknownPacketIdGetsPubrel(int version) throws IOException {
    RawMqttClient c = track(connected(broker.port(), version, "pubrec-client"));
    c.write(MqttPackets.ack(PUBREC, 79));
    Packet pubrel = c.readPacket(TIMEOUT);
    assertThat(pubrel.type()).as("%s", pubrel).isEqualTo(PUBREL);
    assertThat(pubrel.packetId()).isEqualTo(79);
    assertOpen(c);
    assertServed(c, "acks/pubrec");
    assertServed(good, "probe/pubrec");
    assertThat(pubrel.reasonCode()).as("PUBREL reason code").isEqualTo(version == V5 ? 0x92 : 0);
  }

  /** PUBACK and PUBCOMP for ids never used are ignored: the next packet is the answer to PINGREQ. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void pubackAndPubcompForUnknownPacketIdsAreIgnored(int version) throws IOException {
    RawMqttClient c = track(connected(broker.port(), version, "puback-client"));
    c.write(MqttPackets.ack(PUBACK, 78), MqttPackets.ack(PUBCOMP, 80));
    assertOpen(c);
    assertServed(c, "acks/puback");
    assertServed(good, "probe/puback");
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Waits (bounded) for the broker to close {@code bad}, checks that the well-behaved client is still served,
   * then asserts that the close happened; returns the packets that arrived before it.
   */
  private List<Packet> closedWhileGoodServed(RawMqttClient bad, String probeTopic) throws IOException {
    boolean closed = bad.awaitClosed(TIMEOUT);
    assertServed(good, probeTopic);
    assertThat(closed).as("connection closed by the broker within %s (packets received meanwhile: %s)", TIMEOUT,
        bad.packetsBeforeClose()).isTrue();
    return bad.packetsBeforeClose();
  }

  private RawMqttClient track(RawMqttClient c) {
    clients.add(c);
    return c;
  }

  /** 3.1.1: nothing before the close. 5.0: nothing, or exactly one DISCONNECT with the expected reason. */
  private static void assertDisconnectBeforeClose(int version, List<Packet> before, int reason) {
    if (version == V3_1_1) {
      assertThat(before).as("3.1.1 has no server DISCONNECT").isEmpty();
      return;
    }
    assertThat(before).as("packets before close").hasSizeLessThanOrEqualTo(1).allSatisfy(p -> {
      assertThat(p.type()).isEqualTo(DISCONNECT);
      assertThat(p.reasonCode()).as("DISCONNECT reason").isEqualTo(reason);
    });
  }

  /** 3.1.1: nothing before the close. 5.0: exactly one DISCONNECT with the expected reason. */
  private static void assertExactDisconnectBeforeClose(int version, List<Packet> before, int reason) {
    if (version == V3_1_1) {
      assertThat(before).as("3.1.1 has no server DISCONNECT").isEmpty();
      return;
    }
    assertThat(before).as("packets before close").hasSize(1).first().satisfies(p -> {
      assertThat(p.type()).isEqualTo(DISCONNECT);
      assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(reason);
    });
  }

  /** A QoS 0 PUBLISH whose encoded size, fixed header included, is exactly {@code total} bytes (total < 16 K). */
  private static byte[] publishOfTotalSize(int version, String topic, int total) {
    int remaining = total - 3; // type byte and a two-byte remaining length
    int payload = remaining - 2 - topic.length() - (version == V5 ? 1 : 0);
    return MqttPackets.publish(version, topic, 0, 0, new byte[payload]);
  }
}
