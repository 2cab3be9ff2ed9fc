package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Last will and testament with MQTT 3.1.1 clients. */
class WillV3Test extends V3TestSupport {

  private Client watcher;
  /** A second clean-session client, connected up front alongside the watcher. */
  private Client other;

  @BeforeEach
  void start() throws Exception {
    startBroker();
    Client[] cs = connectAll(true, "watcher", "other");
    watcher = cs[0];
    other = cs[1];
    watcher.subscribe("will/#", 2);
  }

  @Test
  void willIsPublishedWhenTheConnectionIsLostAbruptly() throws Exception {
    RawClient raw = raw();
    raw.connectAccepted("dying", true, 0, new Will("will/dying", "gone", 1, false));
    raw.close();

    assertThat(watcher.received.next()).isEqualTo(new Received("will/dying", "gone", 1, false, false));
    watcher.received.assertNothingMore();
  }

  @Test
  void willIsPublishedWhenTheKeepAliveExpires() throws Exception {
    RawClient raw = raw();
    raw.connectAccepted("mute", true, 1, new Will("will/mute", "timed out", 0, false));
    long connectedAt = System.nanoTime();

    Received will = watcher.received.next();
    assertThat(will).isEqualTo(new Received("will/mute", "timed out", 0, false, false));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt)).isBetween(1000L, 4000L);
    assertThat(raw.awaitClosed(1000)).as("the broker closed the silent connection").isTrue();
  }

  @Test
  void willIsNotPublishedAfterACleanDisconnect() throws Exception {
    RawClient raw = raw();
    raw.connectAccepted("polite", true, 0, new Will("will/polite", "should not appear", 1, false));
    raw.disconnect();
    assertThat(raw.awaitClosed(TimeUnit.SECONDS.toMillis(WAIT_SECONDS))).isTrue();
    // The broker is done with the connection (clean session ended) before the barrier is published.
    awaitNoSession("polite");

    other.publish("will/marker", "marker", 1, false);
    assertThat(watcher.received.until("marker")).extracting(Received::payload).containsExactly("marker");
    watcher.received.assertNothingMore();
  }

  @Test
  void willIsNotPublishedAfterAPahoDisconnect() throws Exception {
    Client c = connect("paho-polite", true, o -> o.setWill("will/paho", bytes("nope"), 1, false));
    c.paho.disconnect();
    awaitNoSession("paho-polite");

    other.publish("will/marker", "marker", 1, false);
    assertThat(watcher.received.until("marker")).extracting(Received::payload).containsExactly("marker");
  }

  @Test
  void willIsPublishedWhenTheConnectionIsTakenOverBySameClientId() throws Exception {
    Client first = connect("twin", true, o -> o.setWill("will/twin", bytes("replaced"), 1, false));
    Client second = connect("twin", true);
    assertThat(first.received.lost.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();

    assertThat(watcher.received.next()).isEqualTo(new Received("will/twin", "replaced", 1, false, false));
    assertThat(second.paho.isConnected()).isTrue();
    watcher.received.assertNothingMore();
  }

  @Test
  void willIsPublishedWhenAPersistentSessionIsTakenOver() throws Exception {
    Client first = connect("twin-p", false, o -> o.setWill("will/twin-p", bytes("replaced"), 1, false));
    Client second = connect("twin-p", false);
    assertThat(second.sessionPresent()).isTrue();
    assertThat(first.received.lost.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();

    assertThat(watcher.received.next()).isEqualTo(new Received("will/twin-p", "replaced", 1, false, false));
    watcher.received.assertNothingMore();
  }

  @Test
  void retainedWillIsStoredAndDeliveredToLaterSubscribers() throws Exception {
    RawClient raw = raw();
    raw.connectAccepted("retainer", true, 0, new Will("will/retained", "last words", 1, true));
    raw.close();
    // Live subscribers get it with the retain flag cleared.
    assertThat(watcher.received.next()).isEqualTo(new Received("will/retained", "last words", 1, false, false));

    Client late = other;
    late.subscribe("will/retained", 2);
    assertThat(late.received.next()).isEqualTo(new Received("will/retained", "last words", 1, true, false));
  }

  @Test
  void willQosIsDowngradedToTheSubscriptionQos() throws Exception {
    Client low = other;
    low.subscribe("will/q", 0);
    RawClient raw = raw();
    raw.connectAccepted("q2will", true, 0, new Will("will/q", "q", 2, false));
    raw.close();

    assertThat(watcher.received.next()).isEqualTo(new Received("will/q", "q", 2, false, false));
    assertThat(low.received.next()).isEqualTo(new Received("will/q", "q", 0, false, false));
  }

  @Test
  void willIsPublishedWhenAPersistentSessionLosesItsConnection() throws Exception {
    RawClient raw = raw();
    raw.connectAccepted("persistent-dying", false, 0, new Will("will/p", "gone too", 1, false));
    raw.close();
    assertThat(watcher.received.next()).isEqualTo(new Received("will/p", "gone too", 1, false, false));
    awaitOffline("persistent-dying");
  }
}
