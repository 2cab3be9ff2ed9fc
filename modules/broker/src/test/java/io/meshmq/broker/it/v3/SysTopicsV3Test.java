package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** $SYS/broker/... and $SYS/brokers/<node>/... topics of a standalone node, as seen by an MQTT 3.1.1 client. */
class SysTopicsV3Test extends V3TestSupport {

  private static final List<String> TOPICS = List.of(
      "$SYS/broker/version",
      "$SYS/broker/uptime",
      "$SYS/broker/clients/connected",
      "$SYS/broker/messages/received",
      "$SYS/broker/messages/sent",
      "$SYS/broker/bytes/received",
      "$SYS/broker/subscriptions/count",
      "$SYS/broker/retained messages/count");

  /** Latest value per $SYS topic, fed from the client's collector by {@link #pump}. */
  private final Map<String, String> latest = new ConcurrentHashMap<>();

  private void pump(Client c) {
    Received r;
    while ((r = c.received.queue.poll()) != null) {
      latest.put(r.topic(), r.payload());
    }
  }

  private static long number(String value) {
    return Long.parseLong(value.split(" ")[0]);
  }

  @Test
  void sysTopicsArePublishedAndCountersMove() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 1);
    Client sys = connect("sys", true);
    sys.subscribe("$SYS/#", 0);

    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      pump(sys);
      assertThat(latest).containsKeys(TOPICS.toArray(new String[0]));
    });
    assertThat(latest.get("$SYS/broker/version")).startsWith("MeshMQ ");
    assertThat(latest.get("$SYS/broker/uptime")).matches("\\d+ seconds");
    for (String topic : TOPICS.subList(2, TOPICS.size())) {
      assertThat(latest.get(topic)).as(topic).matches("\\d+");
    }

    Client pub = connect("pub", true);
    long before = number(latest.get("$SYS/broker/messages/received"));
    for (int i = 0; i < 5; i++) {
      pub.publish("app/t", "m" + i, 1, false);
    }
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      pump(sys);
      assertThat(number(latest.get("$SYS/broker/messages/received"))).isGreaterThanOrEqualTo(before + 5);
      assertThat(number(latest.get("$SYS/broker/clients/connected"))).isEqualTo(2);
    });
    assertThat(number(latest.get("$SYS/broker/subscriptions/count"))).isGreaterThanOrEqualTo(1);
    assertThat(number(latest.get("$SYS/broker/messages/sent"))).isGreaterThan(0);
    assertThat(number(latest.get("$SYS/broker/bytes/received"))).isGreaterThan(0);
    // The broker's own $SYS figures are retained, but not counted as retained messages (no client retained any).
    assertThat(number(latest.get("$SYS/broker/retained messages/count"))).isZero();
    // The same figures under the node's own name, as in a cluster (where only those are published).
    String node = latest.get("$SYS/broker/node");
    assertThat(latest).containsKey("$SYS/brokers/" + node + "/uptime");
    assertThat(latest.get("$SYS/brokers/" + node + "/version")).isEqualTo(latest.get("$SYS/broker/version"));
  }

  @Test
  void sysTopicsAreRetainedSoANewSubscriberGetsThemAtOnce() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 1);
    // The first round is published when the broker starts, before anyone connects.
    Client late = connect("late", true);
    late.subscribe("$SYS/broker/version", 0);
    Received r = late.received.next();
    assertThat(r.topic()).isEqualTo("$SYS/broker/version");
    assertThat(r.retained()).isTrue();
  }

  @Test
  void clientsCannotPublishIntoSys() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 1);
    Client watcher = connect("watcher", true);
    watcher.subscribe("$SYS/fake/#", 1);
    watcher.subscribe("app/marker", 1);
    Client pub = connect("pub", true);
    long deniedBefore = broker.broker().node().stats().publishDenied.sum();
    pub.publish("$SYS/fake/topic", "fake", 1, true); // MQTT 3.1.1: acknowledged (it has no way to say no), dropped
    assertThat(broker.broker().node().stats().publishDenied.sum()).isEqualTo(deniedBefore + 1);
    assertThat(broker.broker().node().retained().get("$SYS/fake/topic").toCompletionStage().toCompletableFuture()
        .get(5, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    pub.publish("app/marker", "after", 1, false);
    Received r = watcher.received.next();
    assertThat(r.topic()).as("the message after the refused one, and nothing before it").isEqualTo("app/marker");
  }

  @Test
  void uptimeAdvances() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 1);
    Client sys = connect("sys", true);
    sys.subscribe("$SYS/broker/uptime", 0);
    long first = number(sys.received.next().payload());
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> number(sys.received.next().payload()) > first);
  }

  @Test
  void hashSubscriberDoesNotReceiveSysTopics() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 1);
    Client all = connect("all", true);
    all.subscribe("#", 0);
    Client sys = connect("sys", true);
    sys.subscribe("$SYS/broker/uptime", 0);
    // Two rounds of $SYS after the '#' subscription exists.
    sys.received.next();
    sys.received.next();

    Client pub = connect("pub", true);
    pub.publish("normal", "marker", 1, false);
    assertThat(all.received.until("marker")).extracting(Received::topic).containsExactly("normal");
  }

  @Test
  void noSysTopicsWhenTheIntervalIsZero() throws Exception {
    startBroker(BrokerSettings.SYS_INTERVAL_SECONDS, 0);
    Client sys = connect("sys", true);
    sys.subscribe("$SYS/#", 0);
    sys.subscribe("app/marker", 0);
    sys.publish("app/marker", "marker", 1, false); // ($SYS itself is not open to clients' messages)
    assertThat(sys.received.until("marker")).extracting(Received::topic).containsExactly("app/marker");
  }
}
