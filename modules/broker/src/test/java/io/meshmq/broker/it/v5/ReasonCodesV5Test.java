package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reason codes in PUBACK, PUBREC, SUBACK and UNSUBACK. */
class ReasonCodesV5Test {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void pubackAndPubrecCarrySuccess() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "rc-sub");
         Hive pub = Hive.connect(broker, "rc-pub")) {
      sub.subscribe("rc/t", 2);

      Mqtt5PublishResult qos1 = pub.publish("rc/t", "one", 1);
      assertThat(qos1).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos1Result.class, r -> {
        assertThat(r.getPubAck().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(r.getError()).isEmpty();
      });

      Mqtt5PublishResult qos2 = pub.publish("rc/t", "two", 2);
      assertThat(qos2).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos2Result.class, r -> {
        assertThat(r.getPubRec().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.SUCCESS);
        assertThat(r.getError()).isEmpty();
      });

      assertThat(sub.nextPayloads(2)).containsExactly("one", "two");
    }
  }

  @Test
  void pubackAndPubrecOnTheWire() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-raw"))) {
      raw.publish("rc/raw", 1, false, 41, null, "x".getBytes(StandardCharsets.UTF_8));
      Packet puback = raw.expect(RawMqtt5Client.PUBACK, WAIT);
      assertThat(puback.packetId()).isEqualTo(41);
      // Reason code 0x00, or left out (remaining length 2), which means the same.
      assertThat(puback.body.length == 2 ? 0 : puback.body[2] & 0xFF).isEqualTo(0x00);

      raw.publish("rc/raw", 2, false, 42, null, "y".getBytes(StandardCharsets.UTF_8));
      Packet pubrec = raw.expect(RawMqtt5Client.PUBREC, WAIT);
      assertThat(pubrec.packetId()).isEqualTo(42);
      assertThat(pubrec.body.length == 2 ? 0 : pubrec.body[2] & 0xFF).isEqualTo(0x00);

      raw.pubrel(42);
      Packet pubcomp = raw.expect(RawMqtt5Client.PUBCOMP, WAIT);
      assertThat(pubcomp.packetId()).isEqualTo(42);
      assertThat(pubcomp.body.length == 2 ? 0 : pubcomp.body[2] & 0xFF).isEqualTo(0x00);
    }
  }

  @Test
  void subackGrantsTheRequestedQos() {
    try (BrokerFixture broker = BrokerFixture.start(); Hive c = Hive.connect(broker, "rc-granted")) {
      Mqtt5SubAck ack = c.client.subscribeWith()
          .addSubscription().topicFilter("g/0").qos(MqttQos.AT_MOST_ONCE).applySubscription()
          .addSubscription().topicFilter("g/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
          .addSubscription().topicFilter("g/2/#").qos(MqttQos.EXACTLY_ONCE).applySubscription()
          .send();

      assertThat(ack.getReasonCodes()).containsExactly(
          Mqtt5SubAckReasonCode.GRANTED_QOS_0, Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.GRANTED_QOS_2);
    }
  }

  @Test
  void subackRefusesAnInvalidFilterWith0x8F() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-invalid"))) {
      // HiveMQ's and Paho's clients refuse these filters locally, so they go out as raw bytes.
      raw.subscribe(7, 0, new String[] {"a/#/b", "ok/+", "a+/b", "x/#"}, new int[] {1, 1, 0, 2});
      Packet suback = raw.expect(RawMqtt5Client.SUBACK, WAIT);

      assertThat(suback.packetId()).isEqualTo(7);
      assertThat(suback.reasonCodes()).containsExactly(0x8F, 0x01, 0x8F, 0x02);
      // A refused filter is not a protocol violation: the connection stays up.
      raw.ping();
      assertThat(raw.expect(RawMqtt5Client.PINGRESP, WAIT)).isNotNull();
    }
  }

  @Test
  void unsubackSaysWhetherTheSubscriptionExisted() {
    try (BrokerFixture broker = BrokerFixture.start(); Hive c = Hive.connect(broker, "rc-unsub")) {
      c.subscribe("u/known", 1);

      Mqtt5UnsubAck ack = c.client.unsubscribeWith()
          .addTopicFilter("u/known")
          .addTopicFilter("u/unknown")
          .send();
      assertThat(ack.getReasonCodes()).containsExactly(
          Mqtt5UnsubAckReasonCode.SUCCESS, Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
      assertThat(ack.getReasonCodes().get(1).getCode()).isEqualTo(0x11);

      // It is gone now: unsubscribing again finds nothing.
      Mqtt5UnsubAck again = c.client.unsubscribeWith().topicFilter("u/known").send();
      assertThat(again.getReasonCodes()).containsExactly(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
    }
  }

  @Test
  void unsubackForASharedSubscriptionUsesTheFullFilter() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-unsub-shared"))) {
      raw.subscribe(1, "$share/g/us/t", 1);
      assertThat(raw.expect(RawMqtt5Client.SUBACK, WAIT).reasonCodes()).containsExactly(0x01);

      raw.unsubscribe(2, "us/t", "$share/g/us/t", "$share/other/us/t");
      Packet unsuback = raw.expect(RawMqtt5Client.UNSUBACK, WAIT);
      assertThat(unsuback.packetId()).isEqualTo(2);
      assertThat(unsuback.reasonCodes()).containsExactly(0x11, 0x00, 0x11);
    }
  }

  @Test
  void sharedSubscriptionsRefusedWith0x9EWhenDisabled() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.SHARED_SUBSCRIPTIONS, false);
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-noshare"))) {
      // CONNACK announces it: Shared Subscription Available = 0.
      assertThat(raw.connack().connackProperties().number(0x2A)).isEqualTo(0L);

      raw.subscribe(3, 0, new String[] {"$share/g/s/t", "s/t"}, new int[] {1, 1});
      Packet suback = raw.expect(RawMqtt5Client.SUBACK, WAIT);

      assertThat(suback.reasonCodes()).containsExactly(0x9E, 0x01);
    }
  }

  @Test
  void wildcardSubscriptionsRefusedWith0xA2WhenDisabled() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.WILDCARD_SUBSCRIPTIONS, false);
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-nowild"))) {
      // CONNACK announces it: Wildcard Subscription Available = 0.
      assertThat(raw.connack().connackProperties().number(0x28)).isEqualTo(0L);

      raw.subscribe(4, 0, new String[] {"w/+", "w/#", "w/plain", "#"}, new int[] {0, 1, 1, 0});
      Packet suback = raw.expect(RawMqtt5Client.SUBACK, WAIT);

      assertThat(suback.reasonCodes()).containsExactly(0xA2, 0xA2, 0x01, 0xA2);
    }
  }

  @Test
  void sharedSubscriptionAllowedByDefault() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("rc-share"))) {
      raw.subscribe(5, 0, new String[] {"$share/g/s/+", "w/#"}, new int[] {2, 0});
      assertThat(raw.expect(RawMqtt5Client.SUBACK, WAIT).reasonCodes()).containsExactly(0x02, 0x00);
    }
  }
}
