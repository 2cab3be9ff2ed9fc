package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fan-out across nodes to many persistent sessions, and the death of their node: a QoS 1 publisher on node a
 * streams to {@value #SUBSCRIBERS} persistent subscribers connected to node b, b is SIGKILLed mid-stream, a
 * survivor rebuilds the sessions from b's session journal, and the subscribers, back on node c, get CONNACK with
 * session present and every message the publisher got a PUBACK for.
 *
 * <p>The subscribers come back once the survivors have recovered b's sessions (a client that comes back sooner is
 * issue 14's "session present after a crash").
 */
class PersistentFanOutCrashTest {

  static final int SUBSCRIBERS = 200;
  static final int MESSAGES = 400;
  static final double PER_SECOND = 10;
  static final int KILL_AFTER_ACKS = 100;

  static ProcessCluster cluster;
  private final List<NumberedSubscriber> subscribers = new ArrayList<>();
  private NumberedPublisher publisher;

  @BeforeAll
  static void startCluster() {
    Map<String, String> settings = new HashMap<>(NodeState.adminSettings());
    settings.put("cluster.member-timeout-seconds", String.valueOf(CrashTest.MEMBER_TIMEOUT_SECONDS));
    cluster = ProcessCluster.start("fanoutcrash", 3, settings);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeClients() {
    NumberedSubscriber.closeAll(subscribers);
    if (publisher != null) {
      publisher.close();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void everyAcknowledgedMessageReachesEverySessionRecoveredFromTheKilledNode() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "fanout/" + run + "/";
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    Ledger ledger = new Ledger();
    List<Ledger.Receiver> receivers = new ArrayList<>();
    for (int i = 0; i < SUBSCRIBERS; i++) {
      Ledger.Receiver r = ledger.receiver("fo-" + run + "-" + i, seq -> true);
      receivers.add(r);
      subscribers.add(new NumberedSubscriber(r.name(), new String[] {b.uri()}, r, cluster::nameOf));
    }
    connectAll(subscribers);
    subscribeAll(subscribers, base + "#");
    publisher = new NumberedPublisher("fo-pub-" + run, new String[] {a.uri()}, true, seq -> base + "data", ledger, 100,
        cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    subscribers.get(0).awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
    ledger.event("route a -> b in place; " + MESSAGES + " QoS 1 messages at " + (int) PER_SECOND + "/s to "
        + SUBSCRIBERS + " persistent sessions on b");

    publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(150));
    ledger.awaitAcked(KILL_AFTER_ACKS, Duration.ofSeconds(60), () -> cluster.warnings(40));
    long killedAt = System.currentTimeMillis();
    ledger.event("SIGKILL " + b.name() + " after " + ledger.ackedCount() + " PUBACKs");
    b.kill();
    NumberedSubscriber.closeAll(subscribers);
    subscribers.clear();

    String recovered = awaitLogLine(a, "Sessions of departed node .* recovered on", killedAt, Duration.ofSeconds(60));
    ledger.event("survivors recovered b's sessions: " + recovered);
    for (Ledger.Receiver r : receivers) {
      subscribers.add(new NumberedSubscriber(r.name(), new String[] {c.uri()}, r, cluster::nameOf));
    }
    int present = connectAll(subscribers);

    assertThat(publisher.await(Duration.ofSeconds(150))).as("publisher finished (bounded by count and time)").isTrue();
    boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(60));
    for (Ledger.Receiver r : receivers) {
      r.awaitAckedReceived(Duration.ofSeconds(5));
    }
    long lost = 0;
    long duplicated = 0;
    StringBuilder firstLosses = new StringBuilder();
    for (Ledger.Receiver r : receivers) {
      List<Integer> l = r.lost();
      lost += l.size();
      duplicated += r.duplicated().size();
      if (!l.isEmpty() && firstLosses.length() < 2_000) {
        firstLosses.append("  ").append(r.name()).append(": ").append(Ledger.ranges(l)).append('\n');
      }
    }
    long[] gap = ledger.longestAckGap();
    String summary = "acknowledged " + ledger.ackedCount() + " of " + MESSAGES + "; sessions present on c: " + present
        + " of " + SUBSCRIBERS + "; lost " + lost + ", duplicated " + duplicated + " (over all subscribers); longest "
        + "PUBACK gap " + (gap[1] - gap[0]) + " ms, began " + (gap[0] - killedAt) + " ms after the kill\n"
        + firstLosses + NodeState.describe(a, base, receivers.get(0).name())
        + NodeState.describe(c, base, receivers.get(0).name()) + cluster.warnings(30);
    Clock.log("PersistentFanOutCrashTest: " + summary);
    assertThat(present).as("sessions present when the subscribers came back\n%s", summary).isEqualTo(SUBSCRIBERS);
    assertThat(lost).as("acknowledged messages never received\n%s", summary).isZero();
    assertThat(allAcked).as("every message acknowledged\n%s", summary).isTrue();
  }

  /** Connects the subscribers all at once; returns how many got CONNACK with session present. */
  static int connectAll(List<NumberedSubscriber> subscribers) throws Exception {
    List<org.eclipse.paho.client.mqttv3.IMqttToken> tokens = new ArrayList<>();
    for (NumberedSubscriber s : subscribers) {
      tokens.add(s.startConnect());
    }
    int present = 0;
    for (int i = 0; i < subscribers.size(); i++) {
      if (subscribers.get(i).connected(tokens.get(i), Duration.ofSeconds(30))) {
        present++;
      }
    }
    return present;
  }

  static void subscribeAll(List<NumberedSubscriber> subscribers, String filter) throws Exception {
    List<org.eclipse.paho.client.mqttv3.IMqttToken> tokens = new ArrayList<>();
    for (NumberedSubscriber s : subscribers) {
      tokens.add(s.startSubscribe(filter));
    }
    for (int i = 0; i < subscribers.size(); i++) {
      subscribers.get(i).subscribed(tokens.get(i), filter, Duration.ofSeconds(30));
    }
  }

  /** Waits (bounded) for a line matching {@code regex} that the node logged after {@code from}. */
  private static String awaitLogLine(BrokerProcess node, String regex, long from, Duration timeout)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      String line = NodeLogs.firstAfter(node.logFile(), regex, from);
      if (line != null) {
        return line;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(node.name() + " logged no '" + regex + "' within " + timeout.toSeconds() + " s\n"
        + cluster.warnings(40));
  }
}
