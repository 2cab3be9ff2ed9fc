package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Outbound flow control: the broker never has more unacknowledged QoS 1/2 PUBLISH packets outstanding to a
 * client than min(max in-flight setting, the client's Receive Maximum). Checked with a raw subscriber that
 * acknowledges only when told to.
 */
class FlowControlV5Test {

  private static final Duration WAIT = Duration.ofSeconds(5);
  /** How long "nothing more arrives" is watched for, after the publisher's acknowledgements proved routing done. */
  private static final Duration QUIET = Duration.ofMillis(500);

  private static Session session(BrokerFixture broker, String clientId) {
    return broker.broker().node().sessions().get(clientId);
  }

  @ParameterizedTest(name = "max in-flight {0}, client Receive Maximum {1} -> window {2}")
  @CsvSource({"5, 0, 5", "5, 3, 3", "5, 10, 5"})
  void noMoreUnacknowledgedPublishesThanTheWindow(int maxInflight, int receiveMaximum, int window) throws Exception {
    Connect connect = Connect.clientId("fc-sub");
    if (receiveMaximum > 0) {
      connect.receiveMaximum(receiveMaximum);
    }
    int total = window + 3;
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_INFLIGHT, maxInflight);
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(), connect);
         Hive pub = Hive.connect(broker, "fc-pub")) {
      sub.subscribe(1, "fc/t", 1);
      sub.expect(RawMqtt5Client.SUBACK, WAIT);

      // Each QoS 1 publish returns once the broker routed it, i.e. the subscriber's session has it.
      for (int i = 0; i < total; i++) {
        pub.publish("fc/t", "m" + i, 1);
      }

      List<Packet> first = new ArrayList<>();
      for (int i = 0; i < window; i++) {
        Packet p = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
        assertThat(p.payloadString()).isEqualTo("m" + i);
        assertThat(p.qos()).isEqualTo(1);
        first.add(p);
      }
      assertThat(sub.poll(QUIET)).as("nothing beyond the window of %s", window).isNull();
      await().atMost(WAIT).until(() -> session(broker, "fc-sub").queuedCount() == total - window);
      assertThat(session(broker, "fc-sub").inflightCount()).isEqualTo(window);

      // One acknowledgement opens the window by exactly one.
      sub.puback(first.get(0).packetId());
      Packet next = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(next.payloadString()).isEqualTo("m" + window);
      assertThat(sub.poll(QUIET)).as("exactly one more after one PUBACK").isNull();

      // Acknowledging the rest lets the remaining messages through, in order.
      for (int i = 1; i < window; i++) {
        sub.puback(first.get(i).packetId());
      }
      sub.puback(next.packetId());
      for (int i = window + 1; i < total; i++) {
        Packet p = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
        assertThat(p.payloadString()).isEqualTo("m" + i);
        sub.puback(p.packetId());
      }
      await().atMost(WAIT).until(() -> session(broker, "fc-sub").inflightCount() == 0);
      assertThat(session(broker, "fc-sub").queuedCount()).isZero();
    }
  }

  @Test
  void qos2MessagesHoldTheWindowUntilPubcomp() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_INFLIGHT, 2);
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(), Connect.clientId("fc2-sub"));
         Hive pub = Hive.connect(broker, "fc2-pub")) {
      sub.subscribe(1, "fc2/t", 2);
      sub.expect(RawMqtt5Client.SUBACK, WAIT);
      for (int i = 0; i < 3; i++) {
        pub.publish("fc2/t", "m" + i, 2);
      }

      Packet a = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      Packet b = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(List.of(a.payloadString(), b.payloadString())).containsExactly("m0", "m1");
      assertThat(sub.poll(QUIET)).isNull();

      // PUBREC: the broker answers PUBREL, but the exchange (and the window slot) is not over yet.
      sub.pubrec(a.packetId());
      Packet pubrel = sub.expect(RawMqtt5Client.PUBREL, WAIT);
      assertThat(pubrel.packetId()).isEqualTo(a.packetId());
      assertThat(sub.poll(QUIET)).as("no new PUBLISH before PUBCOMP").isNull();

      sub.pubcomp(a.packetId());
      Packet c = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
      assertThat(c.payloadString()).isEqualTo("m2");
      assertThat(c.qos()).isEqualTo(2);
    }
  }

  @Test
  void aRealClientWithASmallReceiveMaximumGetsEverythingInOrder() throws Exception {
    // HiveMQ's client disconnects (0x93) if the broker exceeds the Receive Maximum it announced.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_INFLIGHT, 5);
         Hive sub = Hive.create(broker, "fc-real-sub");
         Hive pub = Hive.connect(broker, "fc-real-pub")) {
      sub.connectWith().cleanStart(true).restrictions().receiveMaximum(2).applyRestrictions().send();
      sub.subscribe("fcr/t", 2);

      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int qos = 1 + i % 2;
        pub.client.toAsync().publishWith().topic("fcr/t").qos(Hive.qos(qos)).payload(Hive.bytes("m" + i)).send();
        sent.add("m" + i);
      }

      assertThat(sub.nextPayloads(60)).containsExactlyElementsOf(sent);
      assertThat(sub.isConnected()).isTrue();
      assertThat(sub.disconnects).isEmpty();
    }
  }

  @Test
  void clientExceedingTheBrokersReceiveMaximumIsDisconnectedWith0x93() throws Exception {
    // QoS 2 messages count against the Receive Maximum until PUBREL, which makes the count deterministic.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.RECEIVE_MAXIMUM, 2);
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("fc-in"))) {
      assertThat(pub.connack().connackProperties().number(RawMqtt5Client.RECEIVE_MAXIMUM)).isEqualTo(2L);
      byte[] payload = {1};

      pub.publish("fcin/t", 2, false, 1, null, payload);
      assertThat(pub.expect(RawMqtt5Client.PUBREC, WAIT).packetId()).isEqualTo(1);
      pub.publish("fcin/t", 2, false, 2, null, payload);
      assertThat(pub.expect(RawMqtt5Client.PUBREC, WAIT).packetId()).isEqualTo(2);

      // Releasing one makes room for exactly one more.
      pub.pubrel(1);
      assertThat(pub.expect(RawMqtt5Client.PUBCOMP, WAIT).packetId()).isEqualTo(1);
      pub.publish("fcin/t", 2, false, 3, null, payload);
      assertThat(pub.expect(RawMqtt5Client.PUBREC, WAIT).packetId()).isEqualTo(3);

      // Ids 2 and 3 are unreleased: a third unacknowledged QoS 2 PUBLISH exceeds the maximum of 2.
      pub.publish("fcin/t", 2, false, 4, null, payload);
      assertThat(pub.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x93);
      assertThat(pub.closedByBroker(WAIT)).isTrue();
    }
  }
}
