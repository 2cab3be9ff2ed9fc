package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QoS 0/1/2 in both directions, QoS downgrade, ordering, overlapping subscriptions and wildcards (MQTT 3.1.1). */
class QosV3Test extends V3TestSupport {

  @BeforeEach
  void start() {
    startBroker();
  }

  @ParameterizedTest(name = "subscribed at QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void deliveredQosIsTheMinimumOfPublishedAndGrantedQos(int subQos) throws Exception {
    Client[] cs = connectAll(true, "sub", "pub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("q/t", subQos);

    for (int pubQos = 0; pubQos <= 2; pubQos++) {
      pub.publish("q/t", "published at " + pubQos, pubQos, false);
    }
    pub.publish("q/t", "marker", 2, false);

    assertThat(sub.received.until("marker")).containsExactly(
        new Received("q/t", "published at 0", 0, false, false),
        new Received("q/t", "published at 1", Math.min(1, subQos), false, false),
        new Received("q/t", "published at 2", Math.min(2, subQos), false, false),
        new Received("q/t", "marker", Math.min(2, subQos), false, false));
    sub.received.assertNothingMore();
  }

  @Test
  void subscribedAtQos1PublishedAtQos2IsReceivedAtQos1() throws Exception {
    Client[] cs = connectAll(true, "sub12", "pub12");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("q12", 1);
    pub.publish("q12", "m", 2, false);
    assertThat(sub.received.next()).isEqualTo(new Received("q12", "m", 1, false, false));
  }

  @Test
  void subscribedAtQos2PublishedAtQos0IsReceivedAtQos0() throws Exception {
    Client[] cs = connectAll(true, "sub20", "pub20");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("q20", 2);
    pub.publish("q20", "m", 0, false);
    assertThat(sub.received.next()).isEqualTo(new Received("q20", "m", 0, false, false));
  }

  @Test
  void qos2MessageIsDeliveredExactlyOnceInBothDirections() throws Exception {
    Client[] cs = connectAll(true, "sub2", "pub2");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("q2/#", 2);
    for (int i = 0; i < 20; i++) {
      pub.publish("q2/t", "m" + i, 2, false);
    }
    pub.publish("q2/t", "end", 2, false);
    List<Received> got = sub.received.until("end");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("m" + i);
    }
    expected.add("end");
    assertThat(got).extracting(Received::payload).containsExactlyElementsOf(expected);
    assertThat(got).allSatisfy(r -> assertThat(r.qos()).isEqualTo(2));
    assertThat(got).noneMatch(Received::dup);
    sub.received.assertNothingMore();
  }

  @Test
  void orderIsPreservedFor200Qos1MessagesFromOnePublisher() throws Exception {
    Client[] cs = connectAll(true, "osub", "opub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("order/t", 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      pub.publish("order/t", "m" + i, 1, false);
      expected.add("m" + i);
    }
    List<Received> got = sub.received.next(200);
    assertThat(got).extracting(Received::payload).containsExactlyElementsOf(expected);
    assertThat(got).allSatisfy(r -> assertThat(r.qos()).isEqualTo(1));
    sub.received.assertNothingMore();
  }

  @Test
  void overlappingSubscriptionsOfOneClientDeliverOneCopyAtTheHighestGrantedQos() throws Exception {
    Client[] cs = connectAll(true, "overlap", "opub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("a/#", 0);
    sub.subscribe("a/+", 2);
    sub.subscribe("a/b", 1);

    pub.publish("a/b", "one", 2, false);
    pub.publish("a/b", "marker", 2, false);

    assertThat(sub.received.until("marker")).containsExactly(
        new Received("a/b", "one", 2, false, false),
        new Received("a/b", "marker", 2, false, false));
    sub.received.assertNothingMore();
  }

  @Test
  void overlappingSubscriptionsStillDowngradeToThePublishedQos() throws Exception {
    Client[] cs = connectAll(true, "overlap1", "opub1");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("x/#", 2);
    sub.subscribe("x/y", 0);

    pub.publish("x/y", "one", 1, false);
    pub.publish("x/y", "marker", 0, false);
    assertThat(sub.received.until("marker")).containsExactly(
        new Received("x/y", "one", 1, false, false),
        new Received("x/y", "marker", 0, false, false));
  }

  @Test
  void singleLevelWildcardMatchesExactlyOneLevel() throws Exception {
    Client[] cs = connectAll(true, "plus", "ppub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("s/+/x", 1);

    for (String topic : List.of("s/a/x", "s/x", "s/a/b/x", "s/a/x/y", "s//x", "t/a/x")) {
      pub.publish(topic, topic, 1, false);
    }
    pub.publish("s/end/x", "marker", 1, false);
    assertThat(sub.received.until("marker")).extracting(Received::topic)
        .containsExactly("s/a/x", "s//x", "s/end/x");
    sub.received.assertNothingMore();
  }

  @Test
  void multiLevelWildcardMatchesTheParentAndEveryLevelBelow() throws Exception {
    Client[] cs = connectAll(true, "hash", "hpub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("h/#", 1);

    for (String topic : List.of("h", "h/a", "h/a/b/c", "hh", "x/h", "h/")) {
      pub.publish(topic, topic, 1, false);
    }
    pub.publish("h/end", "marker", 1, false);
    assertThat(sub.received.until("marker")).extracting(Received::topic)
        .containsExactly("h", "h/a", "h/a/b/c", "h/", "h/end");
    sub.received.assertNothingMore();
  }

  @Test
  void wildcardsAtTheFirstLevelDoNotMatchDollarTopics() throws Exception {
    Client[] cs = connectAll(true, "all", "plus1", "sys", "spub");
    Client all = cs[0];
    Client plus = cs[1];
    Client sys = cs[2];
    Client pub = cs[3];
    all.subscribe("#", 1);
    plus.subscribe("+/info", 1);
    // A $ topic other than $SYS, which is the broker's own and closed to clients' messages.
    sys.subscribe("$internal/#", 1);

    pub.publish("$internal/info", "dollar", 1, false);
    pub.publish("app/info", "marker", 1, false);

    assertThat(sys.received.next()).isEqualTo(new Received("$internal/info", "dollar", 1, false, false));
    assertThat(all.received.until("marker")).extracting(Received::topic).containsExactly("app/info");
    assertThat(plus.received.until("marker")).extracting(Received::topic).containsExactly("app/info");
    all.received.assertNothingMore();
    plus.received.assertNothingMore();
  }

  @Test
  void publisherSubscribedToItsOwnTopicReceivesItsMessages() throws Exception {
    Client self = connect("self", true);
    self.subscribe("self/t", 1);
    self.publish("self/t", "echo", 1, false);
    assertThat(self.received.next()).isEqualTo(new Received("self/t", "echo", 1, false, false));
  }

  @Test
  void unsubscribeStopsDelivery() throws Exception {
    Client[] cs = connectAll(true, "unsub", "upub");
    Client sub = cs[0];
    Client pub = cs[1];
    sub.subscribe("u/t", 1);
    sub.subscribe("u/marker", 1);
    pub.publish("u/t", "before", 1, false);
    assertThat(sub.received.next().payload()).isEqualTo("before");

    sub.paho.unsubscribe("u/t");
    pub.publish("u/t", "after", 1, false);
    pub.publish("u/marker", "marker", 1, false);
    assertThat(sub.received.until("marker")).extracting(Received::payload).containsExactly("marker");
  }
}
