package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 Maximum Packet Size both ways: the broker's (CONNACK) for what clients send, the client's (CONNECT)
 * for what the broker sends. Oversized packets go out as raw bytes, since client libraries check the limit
 * themselves.
 */
class PacketSizeV5Test {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  /** Size of a PUBLISH packet on the wire: fixed header byte, remaining length field, the rest. */
  private static int wireSize(Packet p) {
    int n = p.body.length;
    int lengthBytes = n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
    return 1 + lengthBytes + n;
  }

  @Test
  void publishLargerThanTheBrokersMaximumIsDisconnectedWith0x95() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PACKET_SIZE, 1024);
         Hive sub = Hive.connect(broker, "ps-in-sub");
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ps-in-pub"))) {
      assertThat(pub.connack().connackProperties().number(RawMqtt5Client.MAXIMUM_PACKET_SIZE)).isEqualTo(1024L);
      sub.subscribe("ps/#", 1);

      pub.publish("ps/big", 1, false, 1, null, payload(2048));

      Packet p = pub.expect(RawMqtt5Client.DISCONNECT, WAIT);
      assertThat(p.disconnectReasonCode()).isEqualTo(0x95);
      assertThat(pub.closedByBroker(WAIT)).isTrue();

      // The oversized message was not routed: the next thing the subscriber sees is a later marker.
      try (Hive marker = Hive.connect(broker, "ps-in-marker")) {
        marker.publish("ps/marker", "marker", 1);
      }
      assertThat(Hive.text(sub.next())).isEqualTo("marker");
    }
  }

  @Test
  void publishOfExactlyTheMaximumIsAcceptedAndOneByteMoreIsNot() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PACKET_SIZE, 1024);
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ps-exact"))) {
      // Topic "ps/t" (2 + 4), packet id 2, empty properties 1: 9 bytes before the payload; the remaining
      // length then takes 2 bytes and the header byte 1, so a payload of 1012 makes exactly 1024 bytes.
      pub.publish("ps/t", 1, false, 1, null, payload(1012));
      Packet ack = pub.expect(RawMqtt5Client.PUBACK, WAIT);
      assertThat(ack.packetId()).isEqualTo(1);

      pub.publish("ps/t", 1, false, 2, null, payload(1013));
      assertThat(pub.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x95);
    }
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {0, 1})
  void subscriberNeverReceivesAMessageLargerThanItsMaximumPacketSize(int qos) throws Exception {
    // One message in flight at a time: a QoS 1 message skipped for its size must not hold the window.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_INFLIGHT, 1);
         Hive sub = Hive.create(broker, "ps-out-sub");
         Hive pub = Hive.connect(broker, "ps-out-pub")) {
      sub.connectWith().cleanStart(true).restrictions().maximumPacketSize(512).applyRestrictions().send();
      sub.subscribe("ps/out", 1);
      long droppedBefore = broker.broker().node().stats().droppedTooLarge.sum();

      pub.publish("ps/out", "small-1", qos);
      pub.client.publishWith().topic("ps/out").qos(Hive.qos(qos)).payload(payload(2048)).send();
      pub.publish("ps/out", "small-2", qos);
      pub.publish("ps/out", "small-3", qos);

      assertThat(sub.nextPayloads(3)).containsExactly("small-1", "small-2", "small-3");
      sub.assertNoMoreMessages();
      assertThat(broker.broker().node().stats().droppedTooLarge.sum() - droppedBefore).isEqualTo(1);
      assertThat(sub.isConnected()).isTrue();
      assertThat(sub.disconnects).isEmpty();
    }
  }

  @Test
  void messagesForAnotherSubscriberAreNotLimitedByOnesMaximum() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive small = Hive.create(broker, "ps-small");
         Hive big = Hive.connect(broker, "ps-big");
         Hive pub = Hive.connect(broker, "ps-both-pub")) {
      small.connectWith().cleanStart(true).restrictions().maximumPacketSize(512).applyRestrictions().send();
      small.subscribe("ps/both", 1);
      big.subscribe("ps/both", 1);

      pub.client.publishWith().topic("ps/both").qos(Hive.qos(1)).payload(payload(2048)).send();
      pub.publish("ps/both", "small", 1);

      assertThat(big.next().getPayloadAsBytes()).hasSize(2048);
      assertThat(Hive.text(big.next())).isEqualTo("small");
      assertThat(Hive.text(small.next())).isEqualTo("small");
    }
  }

  @Test
  void packetsSentToTheClientNeverExceedItsMaximumAlsoWithATopicAlias() throws Exception {
    int max = 200;
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(),
             Connect.clientId("ps-alias-sub").maximumPacketSize(max).topicAliasMaximum(5));
         Hive pub = Hive.connect(broker, "ps-alias-pub")) {
      sub.subscribe(1, "sz/#", 0);
      sub.expect(RawMqtt5Client.SUBACK, WAIT);

      // QoS 0 on "sz/t": 2 + 4 topic bytes, 1 byte of (empty) properties, then the payload; the remaining
      // length takes 2 bytes and the header 1. Payload 190 makes a 200-byte packet without any property.
      pub.publish("sz/t", "a".repeat(190), 0);
      pub.publish("sz/t", "b".repeat(191), 0);
      pub.publish("sz/t", "marker", 0);

      Packet first = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(first.payloadString()).as("the message that fits exactly is delivered").isEqualTo("a".repeat(190));
      assertThat(wireSize(first)).as("wire size of the PUBLISH to '%s' with a %s-byte payload (topic alias %s)",
          first.topic(), first.payload().length, first.publishProperties().number(RawMqtt5Client.TOPIC_ALIAS))
          .isLessThanOrEqualTo(max);

      Packet second = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(second.payloadString()).as("the 201-byte message is skipped").isEqualTo("marker");
      assertThat(wireSize(second)).isLessThanOrEqualTo(max);
    }
  }

  /**
   * A message whose PUBLISH to the subscriber is exactly the subscriber's Maximum Packet Size is delivered, one
   * byte more is not, whatever properties the broker has to send with it (their size must be counted exactly).
   */
  @ParameterizedTest(name = "with {0}")
  @ValueSource(strings = {"no properties", "payload format indicator", "message expiry", "content type",
      "user property", "correlation data", "subscription identifier"})
  void packetOfExactlyTheClientsMaximumIsDeliveredAndOneByteMoreIsNot(String property) throws Exception {
    int max = 200;
    RawMqtt5Client.Buf props = new RawMqtt5Client.Buf();
    int subscriptionId = 0;
    switch (property) {
      case "payload format indicator" -> props.u8(RawMqtt5Client.PAYLOAD_FORMAT_INDICATOR).u8(1);
      case "message expiry" -> props.u8(RawMqtt5Client.MESSAGE_EXPIRY_INTERVAL).u32(600);
      case "content type" -> props.u8(0x03).str("text/plain");
      case "user property" -> props.u8(RawMqtt5Client.USER_PROPERTY).str("k").str("v");
      case "correlation data" -> props.u8(0x09).u16(4).bytes(new byte[] {1, 2, 3, 4});
      case "subscription identifier" -> subscriptionId = 5;
      default -> { }
    }
    // What the subscriber receives: the pass-through properties, or the 2-byte subscription identifier.
    int outboundProps = subscriptionId > 0 ? 2 : props.size();
    // QoS 0 to "fit/t": topic 2 + 5, property length 1, properties, payload; remaining length 2 bytes, header 1.
    int payload = max - 3 - (2 + 5 + 1 + outboundProps);
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(), Connect.clientId("fit-sub").maximumPacketSize(max));
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("fit-pub"))) {
      sub.subscribe(1, subscriptionId, new String[] {"fit/#"}, new int[] {0});
      sub.expect(RawMqtt5Client.SUBACK, WAIT);

      pub.publish("fit/t", 0, false, 0, props, payload(payload));
      pub.publish("fit/t", 0, false, 0, props, payload(payload + 1));
      pub.publish("fit/t", 0, false, 0, null, "marker".getBytes(java.nio.charset.StandardCharsets.UTF_8));

      Packet fits = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(fits.payload()).as("the %s-byte packet is delivered", max).hasSize(payload);
      assertThat(wireSize(fits)).isEqualTo(max);
      Packet next = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(next.payloadString()).as("the %s-byte packet is not", max + 1).isEqualTo("marker");
    }
  }
}
