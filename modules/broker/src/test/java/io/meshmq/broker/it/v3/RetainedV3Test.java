package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retained messages with MQTT 3.1.1 clients. */
class RetainedV3Test extends V3TestSupport {

  private Client pub;
  /** Connected up front (in parallel) but subscribing only when a test says so. */
  private Client late;
  private Client live;

  @BeforeEach
  void start() throws Exception {
    startBroker();
    Client[] cs = connectAll(true, "retainer", "late", "live");
    pub = cs[0];
    late = cs[1];
    live = cs[2];
  }

  @Test
  void retainedMessageIsDeliveredOnSubscribeWithTheRetainFlag() throws Exception {
    pub.publish("r/t", "kept", 1, true);

    Client sub = late;
    sub.subscribe("r/t", 1);
    assertThat(sub.received.next()).isEqualTo(new Received("r/t", "kept", 1, true, false));
    assertThat(broker.broker().node().retained().size()).isEqualTo(1);

    // A second subscription to the same filter gets it again (3.1.1: on every SUBSCRIBE).
    sub.subscribe("r/t", 1);
    assertThat(sub.received.next()).isEqualTo(new Received("r/t", "kept", 1, true, false));
  }

  @Test
  void liveDeliveryOfARetainedPublishHasTheRetainFlagCleared() throws Exception {
    live.subscribe("r/live", 1);

    pub.publish("r/live", "now", 1, true);
    assertThat(live.received.next()).isEqualTo(new Received("r/live", "now", 1, false, false));

    // Whereas a subscriber arriving afterwards gets it as a retained message.
    late.subscribe("r/live", 1);
    assertThat(late.received.next()).isEqualTo(new Received("r/live", "now", 1, true, false));
  }

  @Test
  void newRetainedMessageReplacesThePreviousOne() throws Exception {
    pub.publish("r/replace", "first", 1, true);
    pub.publish("r/replace", "second", 1, true);

    Client sub = late;
    sub.subscribe("r/replace", 1);
    sub.subscribe("r/marker", 1);
    pub.publish("r/marker", "marker", 1, false);
    assertThat(sub.received.until("marker")).containsExactly(
        new Received("r/replace", "second", 1, true, false),
        new Received("r/marker", "marker", 1, false, false));
    assertThat(broker.broker().node().retained().size()).isEqualTo(1);
  }

  @Test
  void emptyRetainedPayloadClearsTheRetainedMessageAndIsStillDeliveredLive() throws Exception {
    live.subscribe("r/clear", 1);
    pub.publish("r/clear", "doomed", 1, true);
    assertThat(live.received.next().payload()).isEqualTo("doomed");
    assertThat(broker.broker().node().retained().size()).isEqualTo(1);

    pub.publish("r/clear", new byte[0], 1, true);
    // MQTT 3.1.1 3.3.1.3: the zero-byte retained PUBLISH goes to current subscribers as usual.
    assertThat(live.received.next()).isEqualTo(new Received("r/clear", "", 1, false, false));
    assertThat(broker.broker().node().retained().size()).isZero();

    late.subscribe("r/clear", 1);
    late.subscribe("r/marker", 1);
    pub.publish("r/marker", "marker", 1, false);
    assertThat(late.received.until("marker")).extracting(Received::topic).containsExactly("r/marker");
  }

  @Test
  void nonRetainedPublishDoesNotReplaceTheRetainedMessage() throws Exception {
    pub.publish("r/keep", "retained", 1, true);
    pub.publish("r/keep", "transient", 1, false);

    Client sub = late;
    sub.subscribe("r/keep", 1);
    assertThat(sub.received.next()).isEqualTo(new Received("r/keep", "retained", 1, true, false));
  }

  @Test
  void wildcardSubscriptionGetsEveryMatchingRetainedMessage() throws Exception {
    pub.publish("w/a", "a", 1, true);
    pub.publish("w/b", "b", 1, true);
    pub.publish("w/c/d", "cd", 1, true);
    pub.publish("other/x", "x", 1, true);

    Client hash = late;
    hash.subscribe("w/#", 1);
    List<Received> all = hash.received.next(3);
    assertThat(all).extracting(Received::topic).containsExactlyInAnyOrder("w/a", "w/b", "w/c/d");
    assertThat(all).allSatisfy(r -> assertThat(r.retained()).isTrue());

    Client plus = live;
    plus.subscribe("w/+", 1);
    List<Received> oneLevel = plus.received.next(2);
    assertThat(oneLevel).extracting(Received::payload).containsExactlyInAnyOrder("a", "b");
    assertThat(oneLevel).allSatisfy(r -> assertThat(r.retained()).isTrue());

    // Nothing else: a live marker on a topic of both filters arrives after the retained ones.
    pub.publish("w/marker", "marker", 1, false);
    assertThat(hash.received.until("marker")).extracting(Received::topic).containsExactly("w/marker");
    assertThat(plus.received.until("marker")).extracting(Received::topic).containsExactly("w/marker");
  }

  @Test
  void retainedMessageIsDeliveredAtTheLowerOfItsQosAndTheGrantedQos() throws Exception {
    // QoS 0 first: the QoS 2 handshake that follows completes only after both were routed.
    pub.publish("r/q0", "zero", 0, true);
    pub.publish("r/q2", "two", 2, true);

    Client sub = late;
    sub.subscribe("r/q2", 1);
    assertThat(sub.received.next()).isEqualTo(new Received("r/q2", "two", 1, true, false));
    sub.subscribe("r/q0", 2);
    assertThat(sub.received.next()).isEqualTo(new Received("r/q0", "zero", 0, true, false));
  }
}
