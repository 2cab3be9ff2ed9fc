package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MQTT 5 sessions: Session Expiry Interval, resumption with queued messages, clean start. */
class SessionV5Test {

  private static Session session(BrokerFixture broker, String clientId) {
    return broker.broker().node().sessions().get(clientId);
  }

  private static void awaitOffline(BrokerFixture broker, String clientId) {
    await().atMost(Hive.WAIT).until(() -> {
      Session s = session(broker, clientId);
      return s == null || !s.isOnline();
    });
  }

  /** Connects with clean start and the given expiry, subscribes at QoS 1, disconnects normally. */
  private static void leaveSession(BrokerFixture broker, String clientId, long expiry, String filter) {
    try (Hive c = Hive.create(broker, clientId)) {
      c.connectWith().cleanStart(true).sessionExpiryInterval(expiry).send();
      c.subscribe(filter, 1);
      c.client.disconnect();
    }
    awaitOffline(broker, clientId);
  }

  @Test
  void sessionExpiresAfterItsExpiryInterval() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "sx-pub")) {
      long droppedBefore = broker.broker().node().stats().droppedNoSession.sum();
      leaveSession(broker, "sx", 1, "sx/t");
      long offlineAt = System.nanoTime();
      assertThat(session(broker, "sx")).as("kept for its expiry interval").isNotNull();
      for (int i = 0; i < 3; i++) {
        pub.publish("sx/t", "queued-" + i, 1);
      }

      ExpiryV5Test.waitUntil(offlineAt, Duration.ofMillis(2500));

      try (Hive back = Hive.create(broker, "sx")) {
        Mqtt5ConnAck ack = back.connectWith().cleanStart(false).sessionExpiryInterval(30).send();
        assertThat(ack.isSessionPresent()).isFalse();

        // Neither the subscription nor the queued messages survived: subscribe again, then a marker.
        back.subscribe("sx/t", 1);
        pub.publish("sx/t", "marker", 1);
        assertThat(Hive.text(back.next())).isEqualTo("marker");
        back.assertNoMoreMessages();
      }
      assertThat(broker.broker().node().stats().droppedNoSession.sum() - droppedBefore).isEqualTo(3);
    }
  }

  @Test
  void sessionWithinItsExpiryIsResumedWithQueuedMessagesInOrder() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "sr-pub")) {
      leaveSession(broker, "sr", 30, "sr/#");
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pub.publish("sr/" + (i % 3), "queued-" + i, 1);
        sent.add("queued-" + i);
      }
      await().atMost(Hive.WAIT).until(() -> session(broker, "sr").queuedCount() == 10);

      try (Hive back = Hive.create(broker, "sr")) {
        Mqtt5ConnAck ack = back.connectWith().cleanStart(false).sessionExpiryInterval(30).send();
        assertThat(ack.isSessionPresent()).isTrue();

        assertThat(back.nextPayloads(10)).containsExactlyElementsOf(sent);
        // The subscription came back with the session.
        pub.publish("sr/live", "live", 1);
        assertThat(Hive.text(back.next())).isEqualTo("live");
        back.assertNoMoreMessages();
      }
    }
  }

  @Test
  void cleanStartDiscardsTheSession() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "sc-pub")) {
      leaveSession(broker, "sc", 30, "sc/t");
      for (int i = 0; i < 3; i++) {
        pub.publish("sc/t", "queued-" + i, 1);
      }

      try (Hive back = Hive.create(broker, "sc")) {
        Mqtt5ConnAck ack = back.connectWith().cleanStart(true).sessionExpiryInterval(30).send();
        assertThat(ack.isSessionPresent()).isFalse();

        // The old subscription is gone: only what the new subscription matches arrives.
        back.subscribe("sc/marker", 1);
        pub.publish("sc/t", "to the old subscription", 1);
        pub.publish("sc/marker", "marker", 1);
        assertThat(Hive.text(back.next())).isEqualTo("marker");
        back.assertNoMoreMessages();
      }
    }
  }

  @Test
  void unacknowledgedMessagesAreResentWithDupOnResume() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "sd-pub")) {
      int packetId;
      try (RawMqtt5Client first = RawMqtt5Client.connect(broker.port(),
          Connect.clientId("sd").cleanStart(true).sessionExpiry(30))) {
        first.subscribe(1, "sd/t", 1);
        first.expect(RawMqtt5Client.SUBACK, Hive.WAIT);
        pub.publish("sd/t", "unacked", 1);
        Packet p = first.expect(RawMqtt5Client.PUBLISH, Hive.WAIT);
        assertThat(p.dup()).isFalse();
        packetId = p.packetId();
        // Connection lost before the PUBACK.
      }
      awaitOffline(broker, "sd");

      try (RawMqtt5Client second = RawMqtt5Client.connect(broker.port(),
          Connect.clientId("sd").cleanStart(false).sessionExpiry(30))) {
        assertThat(second.connack().sessionPresent()).isTrue();
        Packet again = second.expect(RawMqtt5Client.PUBLISH, Hive.WAIT);
        assertThat(again.payloadString()).isEqualTo("unacked");
        assertThat(again.dup()).isTrue();
        assertThat(again.packetId()).isEqualTo(packetId);
        second.puback(again.packetId());
        await().atMost(Hive.WAIT).until(() -> session(broker, "sd").inflightCount() == 0);
      }
    }
  }

  @Test
  void expirySetOnDisconnectReplacesTheOneFromConnect() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      try (Hive c = Hive.create(broker, "sdx")) {
        c.connectWith().cleanStart(true).sessionExpiryInterval(30).send();
        c.client.disconnectWith().sessionExpiryInterval(0).send();
      }
      // Expiry 0 from the DISCONNECT: the session ends with the connection.
      await().atMost(Hive.WAIT).until(() -> session(broker, "sdx") == null);

      try (Hive back = Hive.create(broker, "sdx")) {
        assertThat(back.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
      }
    }
  }

  @Test
  void sessionExpiryAboveTheBrokersMaximumIsCappedInConnack() {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_SESSION_EXPIRY_SECONDS, 10L);
         Hive c = Hive.create(broker, "scap");
         Hive within = Hive.create(broker, "scap-within")) {
      Mqtt5ConnAck ack = c.connectWith().cleanStart(true).sessionExpiryInterval(100).send();
      assertThat(ack.getSessionExpiryInterval()).hasValue(10);

      // Within the maximum the client's value stands and CONNACK does not repeat it.
      Mqtt5ConnAck ok = within.connectWith().cleanStart(true).sessionExpiryInterval(5).send();
      assertThat(ok.getSessionExpiryInterval()).isEmpty();
    }
  }
}
