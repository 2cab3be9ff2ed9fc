package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.meshmq.broker.it.v5.RawMqtt5Client.Connect;
import io.meshmq.broker.it.v5.RawMqtt5Client.Packet;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 5 shared subscriptions ($share/group/filter) with MQTT 5 clients. */
class SharedSubscriptionV5Test {

  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Takes messages from the members until {@code count} arrived in total (failing after a while). */
  private static List<List<String>> collect(List<Hive> members, int count) throws InterruptedException {
    List<List<String>> got = new ArrayList<>();
    members.forEach(m -> got.add(new ArrayList<>()));
    long deadline = System.nanoTime() + WAIT.toNanos();
    int total = 0;
    while (total < count && System.nanoTime() < deadline) {
      for (int i = 0; i < members.size(); i++) {
        Mqtt5Publish p = members.get(i).received.poll(10, TimeUnit.MILLISECONDS);
        if (p != null) {
          got.get(i).add(Hive.text(p));
          total++;
        }
      }
    }
    assertThat(total).as("messages received by the group").isEqualTo(count);
    return got;
  }

  private static List<String> payloads(int n) {
    return IntStream.range(0, n).mapToObj(i -> "m" + i).collect(Collectors.toList());
  }

  @Test
  void eachMessageGoesToExactlyOneMemberOfTheGroup() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive a = Hive.connect(broker, "sh-a");
         Hive b = Hive.connect(broker, "sh-b");
         Hive c = Hive.connect(broker, "sh-c");
         Hive plain = Hive.connect(broker, "sh-plain");
         Hive pub = Hive.connect(broker, "sh-pub")) {
      for (Hive m : List.of(a, b, c)) {
        m.subscribe("$share/workers/sh/t", 1);
      }
      plain.subscribe("sh/t", 1);

      List<String> sent = payloads(30);
      for (String s : sent) {
        pub.publish("sh/t", s, 1);
      }

      List<List<String>> got = collect(List.of(a, b, c), 30);
      List<String> all = new ArrayList<>();
      got.forEach(all::addAll);
      assertThat(all).as("every message once across the group").containsExactlyInAnyOrderElementsOf(sent);
      for (List<String> member : got) {
        assertThat(member).as("the group spreads the load").isNotEmpty();
      }
      // An ordinary subscription on the same topic is not affected.
      assertThat(plain.nextPayloads(30)).containsExactlyElementsOf(sent);
      a.assertNoMoreMessages();
      b.assertNoMoreMessages();
      c.assertNoMoreMessages();
    }
  }

  @Test
  void everyGroupGetsItsOwnCopy() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive g1a = Hive.connect(broker, "g1-a");
         Hive g1b = Hive.connect(broker, "g1-b");
         Hive g2a = Hive.connect(broker, "g2-a");
         Hive g2b = Hive.connect(broker, "g2-b");
         Hive pub = Hive.connect(broker, "groups-pub")) {
      g1a.subscribe("$share/one/grp/#", 1);
      g1b.subscribe("$share/one/grp/#", 1);
      g2a.subscribe("$share/two/grp/+", 1);
      g2b.subscribe("$share/two/grp/+", 1);

      List<String> sent = payloads(10);
      for (String s : sent) {
        pub.publish("grp/x", s, 1);
      }

      List<String> one = new ArrayList<>();
      collect(List.of(g1a, g1b), 10).forEach(one::addAll);
      List<String> two = new ArrayList<>();
      collect(List.of(g2a, g2b), 10).forEach(two::addAll);
      assertThat(one).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(two).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  @ParameterizedTest(name = "member leaves {0}")
  @ValueSource(strings = {"abruptly", "with DISCONNECT"})
  void unacknowledgedMessagesOfALeavingMemberGoToAnotherMember(String how) throws Exception {
    // A member that never acknowledges, with Receive Maximum 2: two messages in flight, the rest of its share
    // queued in its session. Clean start, session expiry 0: the session ends when it leaves.
    try (BrokerFixture broker = BrokerFixture.start();
         Hive stays = Hive.connect(broker, "sh-stays");
         Hive pub = Hive.connect(broker, "sh-leave-pub");
         RawMqtt5Client leaves = RawMqtt5Client.connect(broker.port(),
             Connect.clientId("sh-leaves").cleanStart(true).sessionExpiry(0).receiveMaximum(2))) {
      leaves.subscribe(1, "$share/grp/work/t", 1);
      leaves.expect(RawMqtt5Client.SUBACK, WAIT);
      stays.subscribe("$share/grp/work/t", 1);

      List<String> sent = payloads(12);
      for (String s : sent) {
        pub.publish("work/t", s, 1);
      }
      List<String> held = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        held.add(leaves.expect(RawMqtt5Client.PUBLISH, WAIT).payloadString());
      }
      Session leaving = broker.broker().node().sessions().get("sh-leaves");
      await().atMost(WAIT).until(() -> leaving.inflightCount() == 2 && leaving.queuedCount() > 0);

      if (how.equals("abruptly")) {
        leaves.close();
      } else {
        leaves.disconnect(0x00);
        assertThat(leaves.closedByBroker(WAIT)).isTrue();
        leaves.close();
      }

      // Everything reaches someone: the leaving member acknowledged nothing, so the staying one gets it all.
      Set<String> received = new HashSet<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!received.containsAll(sent) && System.nanoTime() < deadline) {
        Mqtt5Publish p = stays.received.poll(100, TimeUnit.MILLISECONDS);
        if (p != null) {
          received.add(Hive.text(p));
        }
      }
      assertThat(received).as("the staying member got every message, including %s held by the leaver", held)
          .containsAll(sent);
      assertThat(broker.broker().node().sessions().get("sh-leaves")).isNull();
    }
  }

  @Test
  void membersThatStayGetNewMessagesAfterAMemberLeft() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive a = Hive.connect(broker, "shl-a");
         Hive pub = Hive.connect(broker, "shl-pub")) {
      a.subscribe("$share/g/left/t", 1);
      try (Hive b = Hive.connect(broker, "shl-b")) {
        b.subscribe("$share/g/left/t", 1);
      }
      await().atMost(WAIT).until(() -> broker.broker().node().sessions().get("shl-b") == null);

      List<String> sent = payloads(6);
      for (String s : sent) {
        pub.publish("left/t", s, 1);
      }
      assertThat(a.nextPayloads(6)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void retainedMessagesAreNotSentForSharedSubscriptions() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "shr-pub");
         Hive member = Hive.connect(broker, "shr-member")) {
      pub.publishRetained("shr/t", "retained", 1);

      member.subscribe("$share/g/shr/t", 1);
      pub.publish("shr/t", "live", 1);

      Mqtt5Publish got = member.next();
      assertThat(Hive.text(got)).isEqualTo("live");
      member.assertNoMoreMessages();
    }
  }

  @Test
  void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         RawMqtt5Client raw = RawMqtt5Client.connect(broker.port(), Connect.clientId("shnl"))) {
      raw.subscribe(1, "$share/g/nl/t", 0x01 | 0x04);

      Packet p = raw.expect(RawMqtt5Client.DISCONNECT, WAIT);
      assertThat(p.disconnectReasonCode()).isEqualTo(0x82);
    }
  }

  @Test
  void eachMemberGetsMessagesWithItsOwnSubscriptionIdentifier() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Paho a = Paho.connect(broker, "shid-a", o -> { });
         Paho b = Paho.connect(broker, "shid-b", o -> { });
         Hive pub = Hive.connect(broker, "shid-pub")) {
      a.subscribe("$share/g/shid/t", 1, 5);
      b.subscribe("$share/g/shid/t", 1, 6);

      for (int i = 0; i < 4; i++) {
        pub.publish("shid/t", "m" + i, 1);
      }

      // Round robin over two members: two messages each, each carrying the receiving member's identifier.
      for (int i = 0; i < 2; i++) {
        assertThat(a.next().message().getProperties().getSubscriptionIdentifiers()).containsExactly(5);
        assertThat(b.next().message().getProperties().getSubscriptionIdentifiers()).containsExactly(6);
      }
      a.assertNoMoreMessages();
      b.assertNoMoreMessages();
    }
  }
}
