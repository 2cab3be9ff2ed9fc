package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.it.v5.RawMqtt5Client.Buf;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MQTT 5 topic aliases both ways. Inbound ones are sent as raw bytes (client libraries decide on their own
 * whether to use aliases); outbound ones are checked on the wire and through HiveMQ's client, which resolves them.
 */
class TopicAliasV5Test {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static Buf alias(int alias) {
    return new Buf().u8(RawMqtt5Client.TOPIC_ALIAS).u16(alias);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ inbound

  @Test
  void publishesWithATopicAliasAreRoutedToTheAliasedTopic() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.TOPIC_ALIAS_MAXIMUM, 3);
         Hive sub = Hive.connect(broker, "ta-in-sub");
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-in-pub"))) {
      assertThat(pub.connack().connackProperties().number(RawMqtt5Client.TOPIC_ALIAS_MAXIMUM)).isEqualTo(3L);
      sub.subscribe("ta/#", 1);

      // Alias 1 set with a topic, then used alone; then re-mapped to another topic and used alone again.
      pub.publish("ta/one", 1, false, 1, alias(1), utf8("p1"));
      pub.publish("", 1, false, 2, alias(1), utf8("p2"));
      pub.publish("ta/two", 1, false, 3, alias(3), utf8("p3"));
      pub.publish("", 1, false, 4, alias(3), utf8("p4"));
      pub.publish("ta/three", 1, false, 5, alias(1), utf8("p5"));
      pub.publish("", 1, false, 6, alias(1), utf8("p6"));
      pub.publish("", 0, false, 0, alias(3), utf8("p7"));
      for (int id = 1; id <= 6; id++) {
        assertThat(pub.expect(RawMqtt5Client.PUBACK, WAIT).packetId()).isEqualTo(id);
      }

      List<String> got = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        Mqtt5Publish p = sub.next();
        got.add(p.getTopic() + ":" + Hive.text(p));
      }
      assertThat(got).containsExactly("ta/one:p1", "ta/one:p2", "ta/two:p3", "ta/two:p4", "ta/three:p5",
          "ta/three:p6", "ta/two:p7");
    }
  }

  @Test
  void aliasAboveTheMaximumIsDisconnectedWith0x94() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.TOPIC_ALIAS_MAXIMUM, 3);
         Hive sub = Hive.connect(broker, "ta-max-sub");
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-max-pub"))) {
      sub.subscribe("ta/#", 1);

      pub.publish("ta/x", 1, false, 1, alias(4), utf8("too far"));

      Packet disconnect = pub.expect(RawMqtt5Client.DISCONNECT, WAIT);
      assertThat(disconnect.disconnectReasonCode()).isEqualTo(0x94);
      assertThat(pub.closedByBroker(WAIT)).isTrue();

      // Nothing was routed: a marker from another client is the first thing the subscriber sees.
      try (Hive marker = Hive.connect(broker, "ta-max-marker")) {
        marker.publish("ta/marker", "marker", 1);
      }
      assertThat(Hive.text(sub.next())).isEqualTo("marker");
    }
  }

  @Test
  void aliasZeroIsDisconnectedWith0x94() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-zero"))) {
      pub.publish("ta/x", 0, false, 0, alias(0), utf8("zero"));

      assertThat(pub.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x94);
    }
  }

  @Test
  void anyAliasIsInvalidWhenTheBrokerAllowsNone() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.TOPIC_ALIAS_MAXIMUM, 0);
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-none"))) {
      pub.publish("ta/x", 1, false, 1, alias(1), utf8("no aliases here"));

      assertThat(pub.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x94);
    }
  }

  @Test
  void emptyTopicWithAnUnknownAliasIsAProtocolError() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client pub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-unknown"))) {
      pub.publish("", 1, false, 1, alias(2), utf8("which topic?"));

      assertThat(pub.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x82);
    }
  }

  @Test
  void inboundAliasesDoNotOutliveTheirConnection() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      try (RawMqtt5Client first = RawMqtt5Client.connect(broker.port(),
          Connect.clientId("ta-conn").cleanStart(false).sessionExpiry(60))) {
        first.publish("ta/conn", 1, false, 1, alias(1), utf8("set"));
        first.expect(RawMqtt5Client.PUBACK, WAIT);
        first.disconnect(0);
      }
      try (RawMqtt5Client second = RawMqtt5Client.connect(broker.port(),
          Connect.clientId("ta-conn").cleanStart(false).sessionExpiry(60))) {
        assertThat(second.connack().sessionPresent()).isTrue();
        // The session is the same, but aliases belong to the network connection (MQTT 5 3.3.2.3.4).
        second.publish("", 1, false, 2, alias(1), utf8("stale alias"));
        assertThat(second.expect(RawMqtt5Client.DISCONNECT, WAIT).disconnectReasonCode()).isEqualTo(0x82);
      }
    }
  }

  // ------------------------------------------------------------------ outbound

  @Test
  void subscriberWithTopicAliasMaximumReceivesEveryTopicCorrectly() throws Exception {
    // HiveMQ's client resolves the aliases the broker sends (Paho 1.2.5 does not: eclipse-paho/paho.mqtt.java#866).
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.create(broker, "ta-out-sub");
         Hive pub = Hive.connect(broker, "ta-out-pub")) {
      sub.connectWith().cleanStart(true).restrictions().topicAliasMaximum(5).applyRestrictions().send();
      sub.subscribe("out/#", 1);

      // Seven topics (more than the five aliases) in three rounds, at QoS 0 and 1.
      List<String> sent = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int t = 1; t <= 7; t++) {
          String topic = "out/topic-" + t;
          String payload = "r" + round + "-t" + t;
          pub.publish(topic, payload, (round + t) % 2);
          sent.add(topic + ":" + payload);
        }
      }

      List<String> got = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        Mqtt5Publish p = sub.next();
        got.add(p.getTopic() + ":" + Hive.text(p));
      }
      assertThat(got).containsExactlyElementsOf(sent);
      sub.assertNoMoreMessages();
      assertThat(sub.isConnected()).isTrue();
      assertThat(sub.disconnects).isEmpty();
    }
  }

  @ParameterizedTest(name = "broker cap {0}, client maximum {1}: at most {2} aliases")
  @CsvSource({"16, 5, 5", "2, 5, 2", "0, 5, 0"})
  void outboundAliasesOnTheWireStayWithinTheClientsMaximumAndResolveCorrectly(int brokerCap, int clientMax,
                                                                               int expectedMax) throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_OUTBOUND_TOPIC_ALIASES, brokerCap);
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(),
             Connect.clientId("ta-out-raw").topicAliasMaximum(clientMax));
         Hive pub = Hive.connect(broker, "ta-out-raw-pub")) {
      sub.subscribe(1, "wire/#", 0);
      sub.expect(RawMqtt5Client.SUBACK, WAIT);

      List<String> sent = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int t = 1; t <= 7; t++) {
          String topic = "wire/topic-" + t;
          pub.publish(topic, "r" + round + "-t" + t, 0);
          sent.add(topic);
        }
      }

      Map<Integer, String> aliases = new HashMap<>();
      Set<Integer> usedAliases = new HashSet<>();
      int sentAsAliasOnly = 0;
      for (int i = 0; i < sent.size(); i++) {
        Packet p = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
        Long alias = p.publishProperties().number(RawMqtt5Client.TOPIC_ALIAS);
        String topic = p.topic();
        if (alias != null) {
          assertThat(alias).as("alias within min(client maximum, broker cap)").isBetween(1L, (long) expectedMax);
          usedAliases.add(alias.intValue());
          if (topic.isEmpty()) {
            assertThat(aliases).as("alias %s was announced before it was used alone", alias).containsKey(alias.intValue());
            topic = aliases.get(alias.intValue());
            sentAsAliasOnly++;
          } else {
            aliases.put(alias.intValue(), topic);
          }
        }
        assertThat(topic).as("message %s", i).isEqualTo(sent.get(i));
        assertThat(p.payloadString()).endsWith("-t" + sent.get(i).substring("wire/topic-".length()));
      }
      assertThat(usedAliases).as("aliases the broker assigned").hasSizeBetween(Math.min(1, expectedMax), expectedMax);
      if (expectedMax > 0) {
        assertThat(sentAsAliasOnly).as("repeated topics are sent as an alias alone").isGreaterThan(0);
      }
    }
  }

  @Test
  void noAliasesTowardsAClientThatDidNotAskForThem() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client sub = RawMqtt5Client.connect(broker.port(), Connect.clientId("ta-out-none"));
         Hive pub = Hive.connect(broker, "ta-out-none-pub")) {
      sub.subscribe(1, "plain/#", 0);
      sub.expect(RawMqtt5Client.SUBACK, WAIT);

      for (int i = 0; i < 6; i++) {
        pub.publish("plain/t" + (i % 2), "m" + i, 0);
      }
      for (int i = 0; i < 6; i++) {
        Packet p = sub.expect(RawMqtt5Client.PUBLISH, WAIT);
        assertThat(p.topic()).isEqualTo("plain/t" + (i % 2));
        assertThat(p.publishProperties().number(RawMqtt5Client.TOPIC_ALIAS)).as("no alias property").isNull();
      }
    }
  }
}
