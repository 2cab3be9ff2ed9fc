package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 will messages: when they are published (connection loss, DISCONNECT 0x04, takeover, session end)
 * and when not (normal DISCONNECT, reconnect within the will delay). Abrupt connection loss is a raw socket
 * closed without DISCONNECT.
 */
class WillV5Test {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Hive watcher(BrokerFixture broker, String filter) {
    Hive w = Hive.connect(broker, "will-watcher");
    w.subscribe(filter, 1);
    return w;
  }

  /** Waits until the broker no longer has the client's session online (its connection was handled as gone). */
  private static void awaitOffline(BrokerFixture broker, String clientId) {
    await().atMost(Hive.WAIT).until(() -> {
      Session s = broker.broker().node().sessions().get(clientId);
      return s == null || !s.isOnline();
    });
  }

  @Test
  void willIsPublishedWhenTheConnectionIsLost() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      Connect connect = Connect.clientId("will-lost").will("will/lost", utf8("gone"), 1, false);
      connect.willProps.u8(0x03).str("text/plain");
      connect.willProps.u8(RawMqtt5Client.USER_PROPERTY).str("reason").str("test");
      RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), connect);

      raw.close();

      Mqtt5Publish will = watcher.next();
      assertThat(will.getTopic().toString()).isEqualTo("will/lost");
      assertThat(Hive.text(will)).isEqualTo("gone");
      assertThat(will.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
      assertThat(will.getContentType()).hasValue(MqttUtf8String.of("text/plain"));
      assertThat(will.getUserProperties().asList()).hasSize(1);
      assertThat(will.getUserProperties().asList().get(0).getName().toString()).isEqualTo("reason");
    }
  }

  @Test
  void willIsNotPublishedAfterANormalDisconnect() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      try (Hive client = Hive.create(broker, "will-normal")) {
        client.connectWith().cleanStart(true)
            .willPublish().topic("will/normal").payload(utf8("should not appear")).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish()
            .send();
        client.client.disconnect();
      }
      awaitOffline(broker, "will-normal");

      // Positive barrier: a later message on the same topic arrives, and nothing before it.
      try (Hive marker = Hive.connect(broker, "will-normal-marker")) {
        marker.publish("will/normal", "marker", 1);
      }
      assertThat(Hive.text(watcher.next())).isEqualTo("marker");
      watcher.assertNoMoreMessages();
    }
  }

  @Test
  void willIsPublishedAfterDisconnectWithReason0x04() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      try (Hive client = Hive.create(broker, "will-0x04")) {
        client.connectWith().cleanStart(true)
            .willPublish().topic("will/0x04").payload(utf8("asked for")).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish()
            .send();
        client.client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
      }

      Mqtt5Publish will = watcher.next();
      assertThat(will.getTopic().toString()).isEqualTo("will/0x04");
      assertThat(Hive.text(will)).isEqualTo("asked for");
    }
  }

  @Test
  void willDelayIntervalDelaysTheWill() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("will-delay")
          .cleanStart(true).sessionExpiry(30).will("will/delay", utf8("late"), 1, false).willDelay(2));

      raw.close();
      long lostAt = System.nanoTime();
      awaitOffline(broker, "will-delay");

      Mqtt5Publish will = watcher.received.poll(6, TimeUnit.SECONDS);
      Duration after = Duration.ofNanos(System.nanoTime() - lostAt);
      assertThat(will).as("the will, eventually").isNotNull();
      assertThat(Hive.text(will)).isEqualTo("late");
      assertThat(after).as("published after the 2 s will delay").isBetween(Duration.ofMillis(1900), Duration.ofMillis(4500));
    }
  }

  @Test
  void willIsNotPublishedWhenTheClientReconnectsWithinTheDelay() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("will-back")
          .cleanStart(true).sessionExpiry(30).will("will/back", utf8("should not appear"), 1, false).willDelay(2));
      raw.close();
      awaitOffline(broker, "will-back");

      try (Hive back = Hive.create(broker, "will-back")) {
        assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(30).send().isSessionPresent()).isTrue();

        // Well past the 2 s delay, nothing was published.
        await().during(Duration.ofMillis(2700)).atMost(Duration.ofSeconds(4))
            .until(() -> watcher.received.isEmpty());
        back.publish("will/back", "marker", 1);
        assertThat(Hive.text(watcher.next())).isEqualTo("marker");
        watcher.assertNoMoreMessages();
      }
    }
  }

  @Test
  void delayedWillIsPublishedWhenTheSessionEndsFirst() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("will-expiry")
          .cleanStart(true).sessionExpiry(1).will("will/expiry", utf8("session over"), 1, false).willDelay(60));

      raw.close();
      long lostAt = System.nanoTime();

      Mqtt5Publish will = watcher.received.poll(5, TimeUnit.SECONDS);
      assertThat(will).as("published when the 1 s session ended, not after the 60 s delay").isNotNull();
      assertThat(Hive.text(will)).isEqualTo("session over");
      assertThat(Duration.ofNanos(System.nanoTime() - lostAt)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void willWithoutDelayIsPublishedWhenTheConnectionIsTakenOver() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      try (Hive first = Hive.create(broker, "will-takeover");
           Hive second = Hive.create(broker, "will-takeover")) {
        first.connectWith().cleanStart(true).sessionExpiryInterval(30)
            .willPublish().topic("will/takeover").payload(utf8("taken over")).qos(MqttQos.AT_LEAST_ONCE).applyWillPublish()
            .send();

        second.connectWith().cleanStart(false).sessionExpiryInterval(30).send();

        Mqtt5Publish will = watcher.next();
        assertThat(Hive.text(will)).isEqualTo("taken over");
      }
    }
  }

  @Test
  void delayedWillIsPublishedAtOnceWhenACleanStartEndsTheSession() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive watcher = watcher(broker, "will/#")) {
      RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("will-clean")
          .cleanStart(true).sessionExpiry(30).will("will/clean", utf8("session discarded"), 1, false).willDelay(30));
      raw.close();
      awaitOffline(broker, "will-clean");

      try (Hive fresh = Hive.create(broker, "will-clean")) {
        assertThat(fresh.connectWith().cleanStart(true).send().isSessionPresent()).isFalse();

        // The old session ended with the clean start: its will is due now, not in 30 s.
        Mqtt5Publish will = watcher.next();
        assertThat(Hive.text(will)).isEqualTo("session discarded");
      }
    }
  }
}
