package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three broker JVMs; a QoS 1 publisher on node a streams numbered messages to a persistent QoS 1 subscriber on
 * node b while node c, which neither client uses, fails. Every message the publisher got a PUBACK for must reach
 * the subscriber (duplicates are allowed by QoS 1 and reported), and the PUBACKs must not stall for longer than the
 * cluster takes to declare a silent member dead.
 *
 * <p>Two failures: SIGKILL (the kernel closes c's sockets, so its peers see the connections drop at once) and SIGSTOP
 * (c hangs with its sockets open: only the missing heartbeats tell, after {@code cluster.member-timeout-seconds}).
 * Each test starts with the three nodes running (c is started again when needed).
 */
class CrashTest {

  /**
   * {@code cluster.member-timeout-seconds}: the default. At 6 s, the two healthy nodes sometimes missed each other's
   * heartbeats for that long while they re-balanced after c's loss on a slow 2-vCPU machine, split, and the
   * subscriber's session was recovered on the publisher's node while the subscriber stayed connected to b. The
   * publisher waits for PUBACKs during the detection, so the stream still goes on past it.
   */
  static final int MEMBER_TIMEOUT_SECONDS = 10;
  /**
   * The failure-detection bound the PUBACK gap is held to: the member timeout, plus Hazelcast's 1 s heartbeat
   * check period, plus 1 s for scheduling on a loaded 2-core machine.
   */
  static final long DETECTION_BOUND_MILLIS = TimeUnit.SECONDS.toMillis(MEMBER_TIMEOUT_SECONDS) + 2_000;
  static final int MESSAGES = 2_000;
  static final double PER_SECOND = 200;
  /** The failure comes once this many messages are acknowledged (about 1.5 s into the stream). */
  static final int FAIL_AFTER_ACKS = 300;

  static ProcessCluster cluster;

  private NumberedPublisher publisher;
  private NumberedSubscriber subscriber;

  @BeforeAll
  static void startCluster() {
    Map<String, String> settings = new java.util.HashMap<>(NodeState.adminSettings());
    settings.put("cluster.member-timeout-seconds", String.valueOf(MEMBER_TIMEOUT_SECONDS));
    cluster = ProcessCluster.start("crash", 3, settings);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void allNodesRunning() {
    cluster.ensureAllRunning();
  }

  @AfterEach
  void closeClients() {
    if (publisher != null) {
      publisher.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sigkillOfAnUninvolvedNodeLosesNoAcknowledgedMessageAndStallsNoLongerThanFailureDetection() throws Exception {
    streamThroughFailureOfC("SIGKILL", BrokerProcess::kill);
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sigstopOfAnUninvolvedNodeLosesNoAcknowledgedMessageAndStallsNoLongerThanFailureDetection() throws Exception {
    try {
      streamThroughFailureOfC("SIGSTOP", BrokerProcess::freeze);
    } finally {
      cluster.node(2).kill(); // never thawed: it would come back as a member the others have declared dead
    }
  }

  private void streamThroughFailureOfC(String fault, Consumer<BrokerProcess> failure) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "crash/" + run + "/";
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    Ledger ledger = new Ledger();
    Ledger.Receiver received = ledger.receiver("crash-sub-" + run, seq -> true);

    subscriber = new NumberedSubscriber("crash-sub-" + run, new String[] {b.uri()}, received, cluster::nameOf);
    subscriber.connect(Duration.ofSeconds(10));
    subscriber.subscribe(base + "#", Duration.ofSeconds(10));
    publisher = new NumberedPublisher("crash-pub-" + run, new String[] {a.uri()}, true, seq -> base + "data", ledger,
        100, cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    subscriber.awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
    ledger.event("route a -> b in place; streaming " + MESSAGES + " QoS 1 messages at " + (int) PER_SECOND + "/s");

    long streamStart = System.currentTimeMillis();
    publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(60));
    ledger.awaitAcked(FAIL_AFTER_ACKS, Duration.ofSeconds(30), () -> cluster.warnings(40));
    long failAt = System.currentTimeMillis();
    ledger.event(fault + " " + c.name() + " (pid " + c.pid() + ") after " + ledger.ackedCount() + " PUBACKs");
    failure.accept(c);

    assertThat(publisher.await(Duration.ofSeconds(70))).as("publisher finished (bounded by count and time)").isTrue();
    boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(30));
    received.awaitAckedReceived(Duration.ofSeconds(30));
    long streamEnd = System.currentTimeMillis();

    long[] gap = ledger.longestAckGap();
    String report = ledger.report()
        + "stream " + (streamEnd - streamStart) + " ms; " + fault + " at " + Clock.format(failAt)
        + "; longest PUBACK gap began " + (gap[0] - failAt) + " ms after it; bound " + DETECTION_BOUND_MILLIS + " ms\n"
        + "departure of " + c.name() + " logged by: " + departures(failAt, a, b) + "\n";
    String held = NodeState.describe(a, base, "crash-sub-" + run) + NodeState.describe(b, base, "crash-sub-" + run);
    Clock.log("CrashTest " + fault + " report:\n" + report + held);
    // Most telling first (a report may be cut in the middle): what the nodes hold now, then what they decided.
    String diagnostics = report + "what the nodes hold now:\n" + held
        + "what the nodes logged (MeshMQ's own lines) from the failure on:\n"
        + "--- " + a.name() + "\n" + NodeLogs.ownLines(a.logFile(), failAt, System.currentTimeMillis(), 40) + "\n"
        + "--- " + b.name() + "\n" + NodeLogs.ownLines(b.logFile(), failAt, System.currentTimeMillis(), 40) + "\n"
        + cluster.window(failAt - 2_000, failAt + DETECTION_BOUND_MILLIS + 5_000, 80) + "\n" + cluster.warnings(40);

    List<Integer> lost = received.lost();
    assertThat(lost).as("acknowledged messages the subscriber never received\n%s", diagnostics).isEmpty();
    assertThat(allAcked).as("every published message acknowledged\n%s", diagnostics).isTrue();
    assertThat(ledger.ackedCount()).as("messages acknowledged\n%s", diagnostics).isEqualTo(MESSAGES);
    assertThat(gap[1] - gap[0]).as("longest PUBACK gap (ms) vs the failure-detection bound\n%s", diagnostics)
        .isLessThanOrEqualTo(DETECTION_BOUND_MILLIS);
  }

  /** For each node, the first "Member left" line it logged after the failure and how long after it came. */
  private static String departures(long failAt, BrokerProcess... nodes) {
    StringBuilder b = new StringBuilder();
    for (BrokerProcess n : nodes) {
      String line = NodeLogs.firstAfter(n.logFile(), "Member left", failAt);
      b.append("\n  ").append(n.name()).append(": ");
      if (line == null) {
        b.append("(none)");
      } else {
        b.append('+').append(Clock.parse(line.substring(0, 23)) - failAt).append(" ms: ").append(line);
      }
    }
    return b.toString();
  }
}
