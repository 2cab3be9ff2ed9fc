package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.sys.BrokerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Persistent sessions (clean session = 0) of MQTT 3.1.1 clients: queueing while offline, bounds, resume. */
class PersistentSessionV3Test extends V3TestSupport {

  private static final int PUBREL = 6;

  private BrokerStats stats() {
    return broker.broker().node().stats();
  }

  /**
   * Connects a persistent subscriber, subscribes, and disconnects it cleanly; returns a connected clean-session
   * publisher (connected meanwhile).
   */
  private Client subscribeAndGoOffline(String clientId, String filter, int qos) throws Exception {
    Client[] cs = inParallel(List.of(() -> connect(clientId, false), () -> connect("pub", true)));
    Client sub = cs[0];
    assertThat(sub.sessionPresent()).isFalse();
    sub.subscribe(filter, qos);
    sub.paho.disconnect();
    awaitOffline(clientId);
    return cs[1];
  }

  @Test
  void qos1MessagesPublishedWhileOfflineAreDeliveredInOrderOnReconnect() throws Exception {
    startBroker();
    Client pub = subscribeAndGoOffline("ps", "ps/t", 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pub.publish("ps/t", "m" + i, 1, false);
      expected.add("m" + i);
    }

    Client sub = connect("ps", false);
    assertThat(sub.sessionPresent()).isTrue();
    List<Received> got = sub.received.next(20);
    assertThat(got).extracting(Received::payload).containsExactlyElementsOf(expected);
    assertThat(got).allSatisfy(r -> {
      assertThat(r.topic()).isEqualTo("ps/t");
      assertThat(r.qos()).isEqualTo(1);
      assertThat(r.retained()).isFalse();
    });

    // The subscription survived too: live messages keep coming without a new SUBSCRIBE.
    pub.publish("ps/t", "live", 1, false);
    assertThat(sub.received.until("live")).extracting(Received::payload).containsExactly("live");
    sub.received.assertNothingMore();
  }

  @Test
  void backlogLargerThanTheInflightWindowIsDeliveredCompletelyAndInOrder() throws Exception {
    startBroker(BrokerSettings.MAX_INFLIGHT, 3);
    Client pub = subscribeAndGoOffline("window", "win/t", 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pub.publish("win/t", "m" + i, 1, false);
      expected.add("m" + i);
    }

    Client sub = connect("window", false);
    List<Received> got = sub.received.next(30);
    assertThat(got).extracting(Received::payload).containsExactlyElementsOf(expected);
    sub.received.assertNothingMore();
  }

  @Test
  void qos0AndQos2MessagesAreQueuedForAnOfflineSessionToo() throws Exception {
    startBroker();
    Client pub = subscribeAndGoOffline("ps0", "ps0/#", 2);
    for (int i = 0; i < 5; i++) {
      pub.publish("ps0/zero", "q0-" + i, 0, false);
    }
    pub.publish("ps0/two", "q2", 2, false);

    Client sub = connect("ps0", false);
    assertThat(sub.sessionPresent()).isTrue();
    assertThat(sub.received.next(6)).containsExactly(
        new Received("ps0/zero", "q0-0", 0, false, false),
        new Received("ps0/zero", "q0-1", 0, false, false),
        new Received("ps0/zero", "q0-2", 0, false, false),
        new Received("ps0/zero", "q0-3", 0, false, false),
        new Received("ps0/zero", "q0-4", 0, false, false),
        new Received("ps0/two", "q2", 2, false, false));
    sub.received.assertNothingMore();
  }

  @Test
  void fullQueueOfQos1MessagesRefusesNewMessages() throws Exception {
    startBroker(BrokerSettings.MAX_QUEUED_MESSAGES, 5);
    Client pub = subscribeAndGoOffline("bounded", "b/t", 1);
    for (int i = 0; i < 8; i++) {
      pub.publish("b/t", "m" + i, 1, false);
    }
    assertThat(stats().droppedQueueFull.sum()).isEqualTo(3);
    assertThat(stats().droppedQos0ForRoom.sum()).isZero();

    Client sub = connect("bounded", false);
    assertThat(sub.sessionPresent()).isTrue();
    pub.publish("b/t", "marker", 1, false);
    assertThat(sub.received.until("marker")).extracting(Received::payload)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "marker");
    sub.received.assertNothingMore();
    assertThat(stats().droppedQueueFull.sum()).isEqualTo(3);
  }

  @Test
  void overflowDropsTheOldestQos0MessagesFirst() throws Exception {
    startBroker(BrokerSettings.MAX_QUEUED_MESSAGES, 5);
    Client pub = subscribeAndGoOffline("mixed", "mx/t", 1);
    // name-qos; the queue (capacity 5) after each step in the comments
    pub.publish("mx/t", "a-0", 0, false); // a
    pub.publish("mx/t", "b-1", 1, false); // a b
    pub.publish("mx/t", "c-0", 0, false); // a b c
    pub.publish("mx/t", "d-1", 1, false); // a b c d
    pub.publish("mx/t", "e-1", 1, false); // a b c d e (full)
    pub.publish("mx/t", "f-1", 1, false); // b c d e f (a, oldest QoS 0, dropped)
    pub.publish("mx/t", "g-0", 0, false); // b d e f g (c dropped)
    pub.publish("mx/t", "h-1", 1, false); // b d e f h (g dropped)
    pub.publish("mx/t", "i-1", 1, false); // refused: full of QoS 1
    pub.publish("mx/t", "j-0", 0, false); // refused: full of QoS 1 (a QoS 0 message without room, counted as such)
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() -> {
      assertThat(stats().droppedQos0ForRoom.sum()).isEqualTo(4);
      assertThat(stats().droppedQueueFull.sum()).isEqualTo(1);
    });

    Client sub = connect("mixed", false);
    pub.publish("mx/t", "marker", 1, false);
    assertThat(sub.received.until("marker")).extracting(Received::payload)
        .containsExactly("b-1", "d-1", "e-1", "f-1", "h-1", "marker");
    sub.received.assertNothingMore();
  }

  @Test
  void cleanSessionAfterAPersistentSessionDiscardsIt() throws Exception {
    startBroker();
    Client pub = subscribeAndGoOffline("discard", "d/t", 1);
    pub.publish("d/t", "queued", 1, false);

    Client clean = connect("discard", true);
    assertThat(clean.sessionPresent()).isFalse();
    // The old subscription is gone as well as the queued message: only the marker arrives.
    clean.subscribe("d/marker", 1);
    pub.publish("d/t", "after", 1, false);
    pub.publish("d/marker", "marker", 1, false);
    assertThat(clean.received.until("marker")).extracting(Received::payload).containsExactly("marker");
    clean.received.assertNothingMore();
    assertThat(stats().droppedNoSession.sum()).as("the queued message, dropped with the session").isEqualTo(1);

    clean.paho.disconnect();
    awaitNoSession("discard");
    Client again = connect("discard", false);
    assertThat(again.sessionPresent()).isFalse();
  }

  @Test
  void unacknowledgedQos1MessageIsResentWithDupOnResume() throws Exception {
    startBroker();
    Client pub = connect("pub", true);

    RawClient first = raw();
    assertThat(first.connectAccepted("dup", false, 0, null)).isFalse();
    assertThat(first.subscribe(1, "dup/t", 1)).isEqualTo(1);
    pub.publish("dup/t", "unacked", 1, false);
    Packet sent = first.next();
    assertThat(sent.type()).isEqualTo(Packet.PUBLISH);
    assertThat(sent.qos()).isEqualTo(1);
    assertThat(sent.dup()).isFalse();
    assertThat(sent.payload()).isEqualTo("unacked");
    first.close(); // no PUBACK
    awaitOffline("dup");

    RawClient second = raw();
    assertThat(second.connectAccepted("dup", false, 0, null)).as("session present").isTrue();
    Packet resent = second.next();
    assertThat(resent.type()).isEqualTo(Packet.PUBLISH);
    assertThat(resent.dup()).as("DUP flag on the re-sent PUBLISH").isTrue();
    assertThat(resent.qos()).isEqualTo(1);
    assertThat(resent.packetId()).isEqualTo(sent.packetId());
    assertThat(resent.topic()).isEqualTo("dup/t");
    assertThat(resent.payload()).isEqualTo("unacked");
    second.puback(resent.packetId());

    // A new message is a first delivery (no DUP); once both are acknowledged nothing is re-sent again.
    pub.publish("dup/t", "fresh", 1, false);
    Packet fresh = second.next();
    assertThat(fresh.payload()).isEqualTo("fresh");
    assertThat(fresh.dup()).isFalse();
    assertThat(fresh.packetId()).isNotEqualTo(resent.packetId());
    second.puback(fresh.packetId());
    second.disconnect();
    assertThat(second.awaitClosed(WAIT_SECONDS * 1000)).isTrue();
    awaitOffline("dup");

    RawClient third = raw();
    assertThat(third.connectAccepted("dup", false, 0, null)).isTrue();
    assertThat(third.read(QUIET_MILLIS)).as("nothing left to re-send").isNull();
  }

  @Test
  void qos2ExchangeInterruptedAfterPubrecResumesWithPubrel() throws Exception {
    startBroker();
    Client pub = connect("pub", true);

    RawClient first = raw();
    first.connectAccepted("q2resume", false, 0, null);
    assertThat(first.subscribe(1, "q2r/t", 2)).isEqualTo(2);
    pub.publish("q2r/t", "exactly once", 2, false);
    Packet publish = first.next();
    assertThat(publish.type()).isEqualTo(Packet.PUBLISH);
    assertThat(publish.qos()).isEqualTo(2);
    first.send(0x50, new byte[] {(byte) (publish.packetId() >> 8), (byte) publish.packetId()}); // PUBREC
    Packet pubrel = first.next();
    assertThat(pubrel.type()).isEqualTo(PUBREL);
    assertThat(pubrel.packetId()).isEqualTo(publish.packetId());
    first.close(); // no PUBCOMP
    awaitOffline("q2resume");

    RawClient second = raw();
    assertThat(second.connectAccepted("q2resume", false, 0, null)).isTrue();
    Packet again = second.next();
    assertThat(again.type()).as("PUBREL re-sent, not the PUBLISH").isEqualTo(PUBREL);
    assertThat(again.flags()).isEqualTo(0x02);
    assertThat(again.packetId()).isEqualTo(publish.packetId());
    second.send(0x70, new byte[] {(byte) (publish.packetId() >> 8), (byte) publish.packetId()}); // PUBCOMP
    assertThat(second.read(QUIET_MILLIS)).isNull();
  }

  @Test
  void persistentSessionExpiresAfterTheConfiguredMaximum() throws Exception {
    startBroker(BrokerSettings.MAX_SESSION_EXPIRY_SECONDS, 1L);
    subscribeAndGoOffline("expiring", "e/t", 1);
    await().atMost(Duration.ofSeconds(4)).until(() -> session("expiring") == null);

    Client sub = connect("expiring", false);
    assertThat(sub.sessionPresent()).isFalse();
  }
}
