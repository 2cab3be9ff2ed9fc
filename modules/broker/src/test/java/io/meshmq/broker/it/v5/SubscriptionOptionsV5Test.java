package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.meshmq.broker.test.BrokerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 5 subscription options (no local, retain as published, retain handling), identifiers and overlaps. */
class SubscriptionOptionsV5Test {

  // ------------------------------------------------------------------ no local

  @Test
  void noLocalSuppressesOwnMessagesOnly() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive self = Hive.connect(broker, "nl-self");
         Hive other = Hive.connect(broker, "nl-other")) {
      self.client.subscribeWith().topicFilter("nl/t").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
      other.subscribe("nl/t", 1);

      self.publish("nl/t", "own", 1);
      other.publish("nl/t", "theirs", 1);

      // The other client (no no-local) sees both; the publisher only the other's message.
      assertThat(other.nextPayloads(2)).containsExactly("own", "theirs");
      assertThat(Hive.text(self.next())).isEqualTo("theirs");
      self.assertNoMoreMessages();
    }
  }

  @Test
  void noLocalAppliesPerSubscription() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(); Hive self = Hive.connect(broker, "nl-per-sub")) {
      self.client.subscribeWith().topicFilter("nlp/t").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
      self.client.subscribeWith().topicFilter("nlp/#").qos(MqttQos.AT_LEAST_ONCE).noLocal(false).send();

      self.publish("nlp/t", "own", 1);
      self.publish("nlp/other", "marker", 1);

      // Delivered once, through the subscription that does not exclude own messages.
      assertThat(self.nextPayloads(2)).containsExactly("own", "marker");
      self.assertNoMoreMessages();
    }
  }

  // ------------------------------------------------------------------ retain as published

  @Test
  void retainAsPublishedKeepsTheRetainFlagOnLiveMessages() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive keeps = Hive.connect(broker, "rap-keeps");
         Hive clears = Hive.connect(broker, "rap-clears");
         Hive pub = Hive.connect(broker, "rap-pub")) {
      keeps.client.subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true).send();
      clears.client.subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(false).send();

      pub.publishRetained("rap/t", "retained", 1);
      pub.publish("rap/t", "plain", 1);

      Mqtt5Publish k1 = keeps.next();
      Mqtt5Publish k2 = keeps.next();
      assertThat(Hive.text(k1)).isEqualTo("retained");
      assertThat(k1.isRetain()).as("retain as published: kept").isTrue();
      assertThat(Hive.text(k2)).isEqualTo("plain");
      assertThat(k2.isRetain()).isFalse();

      Mqtt5Publish c1 = clears.next();
      Mqtt5Publish c2 = clears.next();
      assertThat(Hive.text(c1)).isEqualTo("retained");
      assertThat(c1.isRetain()).as("without retain as published: cleared on live delivery").isFalse();
      assertThat(Hive.text(c2)).isEqualTo("plain");
      assertThat(c2.isRetain()).isFalse();

      // Sent because of a new subscription, a retained message always carries the flag.
      try (Hive late = Hive.connect(broker, "rap-late")) {
        late.client.subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(false).send();
        Mqtt5Publish r = late.next();
        assertThat(Hive.text(r)).isEqualTo("retained");
        assertThat(r.isRetain()).isTrue();
      }
    }
  }

  // ------------------------------------------------------------------ retain handling

  @Test
  void retainHandling0SendsRetainedOnEverySubscribe() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "rh0-pub");
         Hive sub = Hive.connect(broker, "rh0-sub")) {
      pub.publishRetained("rh0/t", "state", 1);

      subscribe(sub, "rh0/t", Mqtt5RetainHandling.SEND);
      assertRetained(sub.next(), "state");

      subscribe(sub, "rh0/t", Mqtt5RetainHandling.SEND);
      assertRetained(sub.next(), "state");

      pub.publish("rh0/t", "marker", 1);
      assertThat(Hive.text(sub.next())).isEqualTo("marker");
      sub.assertNoMoreMessages();
    }
  }

  @Test
  void retainHandling1SendsRetainedOnlyForANewSubscription() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "rh1-pub");
         Hive sub = Hive.connect(broker, "rh1-sub")) {
      pub.publishRetained("rh1/t", "state", 1);

      subscribe(sub, "rh1/t", Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST);
      assertRetained(sub.next(), "state");

      // Re-subscribing to the same filter: the subscription exists, so no retained message.
      subscribe(sub, "rh1/t", Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST);
      pub.publish("rh1/t", "marker", 1);
      assertThat(Hive.text(sub.next())).isEqualTo("marker");
      sub.assertNoMoreMessages();

      // After unsubscribing it is new again.
      sub.client.unsubscribeWith().topicFilter("rh1/t").send();
      subscribe(sub, "rh1/t", Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST);
      assertRetained(sub.next(), "state");
    }
  }

  @Test
  void retainHandling2NeverSendsRetained() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "rh2-pub");
         Hive sub = Hive.connect(broker, "rh2-sub")) {
      pub.publishRetained("rh2/t", "state", 1);
      pub.publishRetained("rh2/u", "other state", 1);

      subscribe(sub, "rh2/t", Mqtt5RetainHandling.DO_NOT_SEND);
      subscribe(sub, "rh2/#", Mqtt5RetainHandling.DO_NOT_SEND);
      pub.publish("rh2/t", "marker", 1);

      // Only the live marker, once (the two subscriptions overlap).
      Mqtt5Publish got = sub.next();
      assertThat(Hive.text(got)).isEqualTo("marker");
      assertThat(got.isRetain()).isFalse();
      sub.assertNoMoreMessages();
    }
  }

  private static void subscribe(Hive c, String filter, Mqtt5RetainHandling rh) {
    c.client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).retainHandling(rh).send();
  }

  private static void assertRetained(Mqtt5Publish p, String payload) {
    assertThat(Hive.text(p)).isEqualTo(payload);
    assertThat(p.isRetain()).isTrue();
  }

  // ------------------------------------------------------------------ subscription identifiers

  @Test
  void messagesCarryTheIdentifiersOfEveryMatchingSubscription() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Paho sub = Paho.connect(broker, "sid-sub", o -> { });
         Hive pub = Hive.connect(broker, "sid-pub")) {
      sub.subscribe("sid/exact", 1, 7);
      sub.subscribe("sid/#", 1, 8);
      sub.subscribe("sid/+", 1, 9);
      sub.subscribe("plain/t", 1, 0);

      pub.publish("sid/exact", "all three", 1);
      pub.publish("sid/deep/er", "only #", 1);
      pub.publish("plain/t", "no id", 1);

      Paho.Received all = sub.next();
      assertThat(all.payload()).isEqualTo("all three");
      assertThat(all.message().getProperties().getSubscriptionIdentifiers())
          .as("one message carrying every matching subscription identifier")
          .containsExactlyInAnyOrder(7, 8, 9);

      Paho.Received deep = sub.next();
      assertThat(deep.payload()).as("one copy only, no duplicate of the first message").isEqualTo("only #");
      assertThat(deep.message().getProperties().getSubscriptionIdentifiers()).containsExactly(8);

      Paho.Received plain = sub.next();
      assertThat(plain.payload()).isEqualTo("no id");
      assertThat(plain.message().getProperties().getSubscriptionIdentifiers()).isEmpty();
      sub.assertNoMoreMessages();
    }
  }

  @Test
  void resubscribingReplacesTheSubscriptionIdentifier() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Paho sub = Paho.connect(broker, "sid-replace", o -> { });
         Hive pub = Hive.connect(broker, "sid-replace-pub")) {
      sub.subscribe("sidr/t", 1, 21);
      sub.subscribe("sidr/t", 1, 22);

      pub.publish("sidr/t", "m", 1);

      Paho.Received r = sub.next();
      assertThat(r.message().getProperties().getSubscriptionIdentifiers()).containsExactly(22);
      sub.assertNoMoreMessages();
    }
  }

  @Test
  void retainedMessageSentOnSubscribeCarriesThatSubscriptionsIdentifier() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "sid-ret-pub");
         Paho sub = Paho.connect(broker, "sid-ret-sub", o -> { })) {
      pub.publishRetained("sidret/t", "state", 1);

      sub.subscribe("sidret/#", 1, 31);

      Paho.Received r = sub.next();
      assertThat(r.payload()).isEqualTo("state");
      assertThat(r.message().isRetained()).isTrue();
      assertThat(r.message().getProperties().getSubscriptionIdentifiers()).containsExactly(31);
    }
  }

  // ------------------------------------------------------------------ overlapping subscriptions

  @ParameterizedTest(name = "published at QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void overlappingSubscriptionsGetOneCopyAtTheHighestGrantedQos(int publishQos) throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "ov-sub");
         Hive pub = Hive.connect(broker, "ov-pub")) {
      sub.subscribe("ov/#", 0);
      sub.subscribe("ov/+", 1);
      sub.subscribe("ov/a", 0);

      pub.publish("ov/a", "m", publishQos);
      pub.publish("ov/b", "marker", 1);

      Mqtt5Publish m = sub.next();
      assertThat(Hive.text(m)).isEqualTo("m");
      // min(published QoS, highest granted QoS of the matching subscriptions = 1)
      assertThat(m.getQos().getCode()).isEqualTo(Math.min(publishQos, 1));

      Mqtt5Publish marker = sub.next();
      assertThat(Hive.text(marker)).as("one copy: the next message is the marker").isEqualTo("marker");
      sub.assertNoMoreMessages();
    }
  }

  @Test
  void overlappingSubscriptionsAtQos2() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "ov2-sub");
         Hive pub = Hive.connect(broker, "ov2-pub")) {
      sub.subscribe("ov2/#", 2);
      sub.subscribe("ov2/+", 0);

      pub.publish("ov2/a", "m", 2);
      pub.publish("ov2/b", "marker", 2);

      Mqtt5Publish m = sub.next();
      assertThat(Hive.text(m)).isEqualTo("m");
      assertThat(m.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
      assertThat(Hive.text(sub.next())).isEqualTo("marker");
      sub.assertNoMoreMessages();
    }
  }
}
