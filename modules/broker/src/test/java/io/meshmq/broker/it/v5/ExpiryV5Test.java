package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** MQTT 5 Message Expiry Interval: counted down while a message waits, expired messages never delivered. */
class ExpiryV5Test {

  @Test
  void liveDeliveryCarriesTheFullIntervalAndNoIntervalStaysAbsent() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "exp-live-sub");
         Hive pub = Hive.connect(broker, "exp-live-pub")) {
      sub.subscribe("exp/live", 1);

      pub.client.publishWith().topic("exp/live").qos(Hive.qos(1)).payload(Hive.bytes("e")).messageExpiryInterval(60).send();
      pub.publish("exp/live", "never", 1);

      Mqtt5Publish withExpiry = sub.next();
      assertThat(Hive.text(withExpiry)).isEqualTo("e");
      // Delivered at once: the whole minute is left (rounded up).
      assertThat(withExpiry.getMessageExpiryInterval()).hasValue(60);

      Mqtt5Publish without = sub.next();
      assertThat(Hive.text(without)).isEqualTo("never");
      assertThat(without.getMessageExpiryInterval()).isEmpty();
    }
  }

  @Test
  void messageQueuedForAnOfflineSessionCarriesTheRemainingInterval() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "exp-rem-pub")) {
      goOffline(broker, "exp-rem-sub", "exp/rem");

      pub.client.publishWith().topic("exp/rem").qos(Hive.qos(1)).payload(Hive.bytes("waiting")).messageExpiryInterval(60).send();
      long publishedAt = System.nanoTime();
      await().atMost(Hive.WAIT).until(() -> session(broker, "exp-rem-sub").queuedCount() == 1);
      // Let the message wait (time itself is what this test is about).
      waitUntil(publishedAt, Duration.ofMillis(2100));

      try (Hive sub = Hive.create(broker, "exp-rem-sub")) {
        Mqtt5ConnAck ack = sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        assertThat(ack.isSessionPresent()).isTrue();

        Mqtt5Publish got = sub.next();
        assertThat(Hive.text(got)).isEqualTo("waiting");
        // 60 s minus the > 2 s it waited: at most 58 left (rounded up), and certainly not expired.
        assertThat(got.getMessageExpiryInterval()).isPresent();
        assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(50L, 58L);
      }
    }
  }

  @Test
  void messageThatExpiresWhileTheSessionIsOfflineIsDropped() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "exp-drop-pub")) {
      goOffline(broker, "exp-drop-sub", "exp/drop");
      long droppedBefore = broker.broker().node().stats().droppedExpired.sum();

      pub.client.publishWith().topic("exp/drop").qos(Hive.qos(1)).payload(Hive.bytes("short-lived")).messageExpiryInterval(1).send();
      pub.client.publishWith().topic("exp/drop").qos(Hive.qos(1)).payload(Hive.bytes("long-lived")).messageExpiryInterval(60).send();
      long publishedAt = System.nanoTime();
      await().atMost(Hive.WAIT).until(() -> session(broker, "exp-drop-sub").queuedCount() == 2);
      waitUntil(publishedAt, Duration.ofMillis(1500));

      try (Hive sub = Hive.create(broker, "exp-drop-sub")) {
        assertThat(sub.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();
        // Positive barrier: a message published after reconnecting.
        pub.publish("exp/drop", "marker", 1);

        assertThat(sub.nextPayloads(2)).containsExactly("long-lived", "marker");
        sub.assertNoMoreMessages();
      }
      assertThat(broker.broker().node().stats().droppedExpired.sum() - droppedBefore).isEqualTo(1);
    }
  }

  @Test
  void retainedMessageIsNotDeliveredAfterItExpired() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive pub = Hive.connect(broker, "exp-ret-pub")) {
      pub.client.publishWith().topic("exp/ret/short").qos(Hive.qos(1)).retain(true).payload(Hive.bytes("short"))
          .messageExpiryInterval(1).send();
      long publishedAt = System.nanoTime();
      pub.publishRetained("exp/ret/keep", "keep", 1);

      // While it lives, a new subscriber gets it (with what is left of its interval).
      try (Hive early = Hive.connect(broker, "exp-ret-early")) {
        early.subscribe("exp/ret/short", 1);
        Mqtt5Publish got = early.next();
        assertThat(Hive.text(got)).isEqualTo("short");
        assertThat(got.isRetain()).isTrue();
        assertThat(got.getMessageExpiryInterval()).hasValue(1);
      }

      waitUntil(publishedAt, Duration.ofMillis(1500));

      try (Hive late = Hive.connect(broker, "exp-ret-late")) {
        late.subscribe("exp/ret/#", 1);
        // The retained message that does not expire arrives; the expired one does not.
        Mqtt5Publish got = late.next();
        assertThat(Hive.text(got)).isEqualTo("keep");
        late.assertNoMoreMessages();
      }
    }
  }

  @Test
  void messageThatExpiresWhileInTheQueueBehindAFullWindowIsDropped() throws Exception {
    // One message in flight at a time: the second waits in the queue of an online client until the first is acknowledged.
    try (BrokerFixture broker = BrokerFixture.start(io.meshmq.broker.config.BrokerSettings.MAX_INFLIGHT, 1);
         Hive pub = Hive.connect(broker, "exp-q-pub");
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), RawMqtt5Client.Connect.clientId("exp-q-sub"))) {
      raw.subscribe(1, "exp/q", 1);
      raw.expect(RawMqtt5Client.SUBACK, Hive.WAIT);

      pub.publish("exp/q", "first", 1);
      pub.client.publishWith().topic("exp/q").qos(Hive.qos(1)).payload(Hive.bytes("brief")).messageExpiryInterval(1).send();
      pub.publish("exp/q", "third", 1);
      long publishedAt = System.nanoTime();

      RawMqtt5Client.Packet first = raw.expect(RawMqtt5Client.PUBLISH, Hive.WAIT);
      assertThat(first.payloadString()).isEqualTo("first");
      waitUntil(publishedAt, Duration.ofMillis(1500));
      raw.puback(first.packetId());

      RawMqtt5Client.Packet next = raw.expect(RawMqtt5Client.PUBLISH, Hive.WAIT);
      assertThat(next.payloadString()).as("the expired message is skipped").isEqualTo("third");
      assertThat(broker.broker().node().stats().droppedExpired.sum()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void brokerMaximumBoundsTheExpiryOfEveryMessage() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(io.meshmq.broker.config.BrokerSettings.MAX_MESSAGE_EXPIRY_SECONDS, 10L);
         Hive sub = Hive.connect(broker, "exp-max-sub");
         Hive pub = Hive.connect(broker, "exp-max-pub")) {
      sub.subscribe("exp/max", 1);

      pub.client.publishWith().topic("exp/max").qos(Hive.qos(1)).payload(Hive.bytes("long")).messageExpiryInterval(3600).send();
      pub.client.publishWith().topic("exp/max").qos(Hive.qos(1)).payload(Hive.bytes("short")).messageExpiryInterval(5).send();
      pub.publish("exp/max", "none", 1);

      Mqtt5Publish lng = sub.next();
      assertThat(Hive.text(lng)).isEqualTo("long");
      assertThat(lng.getMessageExpiryInterval()).as("capped to the broker's maximum").hasValue(10);
      Mqtt5Publish shrt = sub.next();
      assertThat(shrt.getMessageExpiryInterval()).as("below the maximum: unchanged").hasValue(5);
      Mqtt5Publish none = sub.next();
      assertThat(none.getMessageExpiryInterval()).as("no interval given: the broker's maximum applies").hasValue(10);
    }
  }

  /** Connects a persistent session (expiry 60 s), subscribes at QoS 1 and disconnects; returns once the broker saw it go. */
  static void goOffline(BrokerFixture broker, String clientId, String filter) {
    try (Hive c = Hive.create(broker, clientId)) {
      c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
      c.subscribe(filter, 1);
      c.client.disconnect();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      Session s = broker.broker().node().sessions().get(clientId);
      return s != null && !s.isOnline();
    });
  }

  static Session session(BrokerFixture broker, String clientId) {
    Session s = broker.broker().node().sessions().get(clientId);
    assertThat(s).as("session %s", clientId).isNotNull();
    return s;
  }

  /** Waits until {@code duration} has passed since {@code startNanos}: for tests where the passing of time is the point. */
  static void waitUntil(long startNanos, Duration duration) {
    await().pollInterval(Duration.ofMillis(50)).atMost(duration.plusSeconds(5))
        .until(() -> System.nanoTime() - startNanos >= duration.toNanos());
  }
}
