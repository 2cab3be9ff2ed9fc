package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttClientIdentifier;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 5 CONNECT / CONNACK: client identifiers, takeover, session present, limits, server keep-alive. */
class ConnectV5Test {

  @Test
  void emptyClientIdGetsAnAssignedClientIdentifier() {
    try (BrokerFixture broker = BrokerFixture.start(); Hive client = Hive.create(broker, "")) {
      Mqtt5ConnAck ack = client.connectWith().cleanStart(true).send();

      assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
      assertThat(ack.getAssignedClientIdentifier()).isPresent();
      String assigned = ack.getAssignedClientIdentifier().get().toString();
      assertThat(assigned).isNotBlank();
      // The broker runs the session under the identifier it announced.
      assertThat(broker.broker().node().sessions().get(assigned)).isNotNull();
      assertThat(client.client.getConfig().getClientIdentifier()).contains(MqttClientIdentifier.of(assigned));
    }
  }

  @Test
  void twoClientsWithEmptyIdsGetDifferentIdentifiers() {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive a = Hive.create(broker, "");
         Hive b = Hive.create(broker, "")) {
      String idA = a.connectWith().cleanStart(true).send().getAssignedClientIdentifier().orElseThrow().toString();
      String idB = b.connectWith().cleanStart(true).send().getAssignedClientIdentifier().orElseThrow().toString();

      assertThat(idA).isNotEqualTo(idB);
      assertThat(a.isConnected()).isTrue();
      assertThat(b.isConnected()).isTrue();
    }
  }

  @Test
  void emptyClientIdIsRefusedWhenNotAllowed() {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.ALLOW_ZERO_LENGTH_CLIENT_ID, false);
         Hive client = Hive.create(broker, "")) {
      assertThatThrownBy(() -> client.connectWith().cleanStart(true).send())
          .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
              .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID));
    }
  }

  @Test
  void clientIdLongerThanTheMaximumIsRefusedWith0x85() {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_CLIENT_ID_LENGTH, 23);
         Hive tooLong = Hive.create(broker, "x".repeat(24));
         Hive longest = Hive.create(broker, "y".repeat(23))) {
      assertThatThrownBy(() -> tooLong.connectWith().cleanStart(true).send())
          .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
            assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x85);
          });
      assertThat(tooLong.isConnected()).isFalse();

      // The limit itself is allowed.
      assertThat(longest.connectWith().cleanStart(true).send().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    }
  }

  @ParameterizedTest(name = "second connection with clean start {0}")
  @ValueSource(booleans = {true, false})
  void secondConnectionWithTheSameIdDisconnectsTheFirstWithSessionTakenOver(boolean cleanStart) throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive first = Hive.create(broker, "twin");
         Hive second = Hive.create(broker, "twin")) {
      first.connectWith().cleanStart(true).sessionExpiryInterval(30).send();

      second.connectWith().cleanStart(cleanStart).sessionExpiryInterval(30).send();

      MqttClientDisconnectedContext ctx = first.disconnects.poll(5, TimeUnit.SECONDS);
      assertThat(ctx).as("first connection was disconnected").isNotNull();
      assertThat(ctx.getSource()).isEqualTo(MqttDisconnectSource.SERVER);
      assertThat(ctx.getCause()).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> {
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x8E);
      });
      assertThat(second.isConnected()).isTrue();
      assertThat(second.disconnects).isEmpty();

      // The new connection is the one that works.
      second.subscribe("takeover/t", 1);
      second.publish("takeover/t", "still here", 1);
      assertThat(Hive.text(second.next())).isEqualTo("still here");
    }
  }

  @Test
  void sessionPresentFollowsCleanStartAndSessionExpiry() {
    try (BrokerFixture broker = BrokerFixture.start()) {
      // No session yet: clean start false still finds none.
      Mqtt5ConnAck ack = connectAndDisconnect(broker, "sp", false, 30);
      assertThat(ack.isSessionPresent()).isFalse();

      // The session outlived its connection (expiry 30 s): resumed.
      ack = connectAndDisconnect(broker, "sp", false, 30);
      assertThat(ack.isSessionPresent()).isTrue();

      // Clean start throws it away, even though it exists.
      ack = connectAndDisconnect(broker, "sp", true, 0);
      assertThat(ack.isSessionPresent()).isFalse();

      // That connection asked for expiry 0: the session ended with it.
      ack = connectAndDisconnect(broker, "sp", false, 0);
      assertThat(ack.isSessionPresent()).isFalse();
    }
  }

  private static Mqtt5ConnAck connectAndDisconnect(BrokerFixture broker, String id, boolean cleanStart, long expiry) {
    try (Hive c = Hive.create(broker, id)) {
      Mqtt5ConnAck ack = c.connectWith().cleanStart(cleanStart).sessionExpiryInterval(expiry).send();
      c.client.disconnect();
      // The broker handles the DISCONNECT asynchronously: wait until it let go of the connection.
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        var s = broker.broker().node().sessions().get(id);
        return s == null || !s.isOnline();
      });
      return ack;
    }
  }

  @Test
  void connackCarriesTheLimitsFromTheSettings() {
    try (BrokerFixture broker = BrokerFixture.start(
        BrokerSettings.RECEIVE_MAXIMUM, 17,
        BrokerSettings.MAX_PACKET_SIZE, 4096,
        BrokerSettings.TOPIC_ALIAS_MAXIMUM, 7);
         Hive client = Hive.create(broker, "limits")) {
      Mqtt5ConnAck ack = client.connectWith().cleanStart(true).send();

      assertThat(ack.getRestrictions().getReceiveMaximum()).isEqualTo(17);
      assertThat(ack.getRestrictions().getMaximumPacketSize()).isEqualTo(4096);
      assertThat(ack.getRestrictions().getTopicAliasMaximum()).isEqualTo(7);
    }
  }

  @Test
  void connackLimitsOnTheWire() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(
        BrokerSettings.RECEIVE_MAXIMUM, 33,
        BrokerSettings.MAX_PACKET_SIZE, 2048,
        BrokerSettings.TOPIC_ALIAS_MAXIMUM, 0);
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("raw-limits"))) {
      RawMqtt5Client.Properties p = raw.connack().connackProperties();

      assertThat(p.number(RawMqtt5Client.RECEIVE_MAXIMUM)).isEqualTo(33L);
      assertThat(p.number(RawMqtt5Client.MAXIMUM_PACKET_SIZE)).isEqualTo(2048L);
      // 0 = no aliases; sending the property with 0 or leaving it out both say so.
      assertThat(p.number(RawMqtt5Client.TOPIC_ALIAS_MAXIMUM)).isIn(null, 0L);
      assertThat(p.number(RawMqtt5Client.SERVER_KEEP_ALIVE)).as("no server keep-alive when not bounded").isNull();
    }
  }

  @Test
  void serverKeepAliveBoundsTheKeepAliveTheClientAskedFor() {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_KEEP_ALIVE_SECONDS, 2);
         Hive asksTooMuch = Hive.create(broker, "ka-60");
         Hive asksLess = Hive.create(broker, "ka-1")) {
      Mqtt5ConnAck ack = asksTooMuch.connectWith().cleanStart(true).keepAlive(60).send();
      assertThat(ack.getServerKeepAlive()).hasValue(2);

      // Within the bound: the client's own value stands, no override.
      Mqtt5ConnAck within = asksLess.connectWith().cleanStart(true).keepAlive(1).send();
      assertThat(within.getServerKeepAlive()).isEmpty();
    }
  }

  @Test
  void serverKeepAliveAppliesToAClientAskingForNone() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_KEEP_ALIVE_SECONDS, 1);
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("silent").keepAlive(0))) {
      long connectedAt = System.nanoTime();
      assertThat(raw.connack().connackProperties().number(RawMqtt5Client.SERVER_KEEP_ALIVE)).isEqualTo(1L);

      // The client stays silent: 1.5 x 1 s later the broker gives up on it.
      Packet p = raw.expect(RawMqtt5Client.DISCONNECT, Duration.ofSeconds(4));
      long after = System.nanoTime() - connectedAt;
      assertThat(p.disconnectReasonCode()).isEqualTo(0x8D);
      assertThat(Duration.ofNanos(after)).isBetween(Duration.ofMillis(1400), Duration.ofMillis(3500));
      assertThat(raw.closedByBroker(Duration.ofSeconds(2))).as("socket closed after DISCONNECT").isTrue();
    }
  }

  @Test
  void aClientThatPingsWithinTheServerKeepAliveStaysConnected() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_KEEP_ALIVE_SECONDS, 2);
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("pinger").keepAlive(0))) {
      assertThat(raw.connack().connackProperties().number(RawMqtt5Client.SERVER_KEEP_ALIVE)).isEqualTo(2L);
      long start = System.nanoTime();
      // Ping about every 500 ms for 4 s, longer than the 3 s after which a silent client is dropped.
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)) {
        raw.ping();
        assertThat(raw.poll(Duration.ofSeconds(2))).as("PINGRESP")
            .satisfies(p -> assertThat(p.type).isEqualTo(RawMqtt5Client.PINGRESP));
        assertThat(raw.poll(Duration.ofMillis(500))).as("nothing else (no DISCONNECT) between pings").isNull();
      }
    }
  }
}
