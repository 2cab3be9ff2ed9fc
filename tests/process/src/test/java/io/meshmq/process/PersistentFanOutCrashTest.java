package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
  private FanOutStream stream;

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
    if (stream != null) {
      stream.close();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void everyAcknowledgedMessageReachesEverySessionRecoveredFromTheKilledNode() throws Exception {
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    stream = new FanOutStream(cluster, "fanout", a, b, SUBSCRIBERS, 10);
    Ledger ledger = stream.ledger;
    ledger.event("route a -> b in place; " + MESSAGES + " QoS 1 messages at " + (int) PER_SECOND + "/s to "
        + SUBSCRIBERS + " persistent sessions on b");

    stream.publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(150));
    ledger.awaitAcked(KILL_AFTER_ACKS, Duration.ofSeconds(60), () -> cluster.warnings(40));
    long killedAt = System.currentTimeMillis();
    ledger.event("SIGKILL " + b.name() + " after " + ledger.ackedCount() + " PUBACKs");
    b.kill();
    stream.dropSubscribers();

    String recovered = awaitLogLine(a, "Sessions of departed node .* recovered on", killedAt, Duration.ofSeconds(60));
    ledger.event("survivors recovered b's sessions: " + recovered);
    int present = stream.reconnectSubscribers(c);

    assertThat(stream.publisher.await(Duration.ofSeconds(150))).as("publisher finished (bounded by count and time)")
        .isTrue();
    boolean allAcked = stream.publisher.awaitAcks(Duration.ofSeconds(60));
    FanOutStream.Losses losses = stream.losses(Duration.ofSeconds(5));
    long[] gap = ledger.longestAckGap();
    String first = stream.receivers.get(0).name();
    String summary = "acknowledged " + ledger.ackedCount() + " of " + MESSAGES + "; sessions present on c: " + present
        + " of " + SUBSCRIBERS + "; lost " + losses.lost() + ", duplicated " + losses.duplicated()
        + " (over all subscribers); longest PUBACK gap " + (gap[1] - gap[0]) + " ms, began " + (gap[0] - killedAt)
        + " ms after the kill\n" + losses.firstLosses() + NodeState.describe(a, stream.base, first)
        + NodeState.describe(c, stream.base, first) + cluster.warnings(30);
    Clock.log("PersistentFanOutCrashTest: " + summary);
    assertThat(present).as("sessions present when the subscribers came back\n%s", summary).isEqualTo(SUBSCRIBERS);
    assertThat(losses.lost()).as("acknowledged messages never received\n%s", summary).isZero();
    assertThat(allAcked).as("every message acknowledged\n%s", summary).isTrue();
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
