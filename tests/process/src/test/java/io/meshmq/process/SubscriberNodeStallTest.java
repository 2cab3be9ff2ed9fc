package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subscriber's own node stalls (SIGSTOP) for longer than the member timeout in the middle of a QoS 1 stream,
 * then resumes: the others declare it dead and recover the subscriber's session, the resumed node finds itself
 * split off and merges back, the subscriber reconnects (to its node or another, as a load balancer would send it).
 * Every message the publisher had a PUBACK for still reaches the subscriber; duplicates are allowed (QoS 1).
 * About 90 s, so behind the {@code long} profile: {@code mvn verify -pl tests/process -Plong -Dtest=SubscriberNodeStallTest}.
 */
@Tag("long")
class SubscriberNodeStallTest {

  static final int MEMBER_TIMEOUT_SECONDS = 10;
  /** Past the member timeout: the others declare the node dead before it resumes. */
  static final long STALL_MILLIS = 14_000;
  static final int MESSAGES = 3_000;
  static final double PER_SECOND = 100;

  static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    Map<String, String> settings = new java.util.HashMap<>(NodeState.adminSettings());
    settings.put("cluster.member-timeout-seconds", String.valueOf(MEMBER_TIMEOUT_SECONDS));
    // The session waits offline on the node that recovered it from the stall's detection until the client is back:
    // about 12 s (the stall past the member timeout, the merge check every 5 s, the client's reconnect), 1,200
    // messages at this rate. The default offline queue (1,000) would drop the rest, counted as queue_full: that
    // is the queue's bound, which this test is not about.
    settings.put("mqtt.max-queued-messages", "5000");
    cluster = ProcessCluster.start("stall", 3, settings);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aStallOfTheSubscribersNodeLosesNoAcknowledgedMessage() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "stall/" + run + "/";
    String subscriberId = "stall-sub-" + run;
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    Ledger ledger = new Ledger();
    Ledger.Receiver received = ledger.receiver(subscriberId, seq -> true);
    try (NumberedSubscriber subscriber = new NumberedSubscriber(subscriberId, new String[] {b.uri(), c.uri()}, received,
        cluster::nameOf);
         NumberedPublisher publisher = new NumberedPublisher("stall-pub-" + run, new String[] {a.uri()}, true,
             seq -> base + "data", ledger, 100, cluster::nameOf)) {
      subscriber.connect(Duration.ofSeconds(10));
      subscriber.subscribe(base + "#", Duration.ofSeconds(10));
      publisher.connect(Duration.ofSeconds(10));
      subscriber.awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
      publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(90));
      ledger.awaitAcked(300, Duration.ofSeconds(30), () -> cluster.warnings(40));

      long stallAt = System.currentTimeMillis();
      ledger.event("SIGSTOP " + b.name() + " (the subscriber's node) for " + STALL_MILLIS + " ms");
      b.freeze();
      Thread.sleep(STALL_MILLIS);
      b.thaw();
      ledger.event("SIGCONT " + b.name());

      assertThat(publisher.await(Duration.ofSeconds(90))).as("publisher finished (bounded by count and time)").isTrue();
      boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(30));
      received.awaitAckedReceived(Duration.ofSeconds(60));
      String report = ledger.report();
      String held = NodeState.describe(a, base, subscriberId) + NodeState.describe(c, base, subscriberId);
      Clock.log("SubscriberNodeStallTest report:\n" + report + held);
      String diagnostics = report + "what the nodes hold now:\n" + held
          + "what the nodes logged (MeshMQ's own lines) from the stall on:\n"
          + "--- " + a.name() + "\n" + NodeLogs.ownLines(a.logFile(), stallAt, System.currentTimeMillis(), 40) + "\n"
          + "--- " + b.name() + "\n" + NodeLogs.ownLines(b.logFile(), stallAt, System.currentTimeMillis(), 40) + "\n"
          + "--- " + c.name() + "\n" + NodeLogs.ownLines(c.logFile(), stallAt, System.currentTimeMillis(), 40) + "\n";
      List<Integer> lost = received.lost();
      assertThat(lost).as("acknowledged messages the subscriber never received\n%s", diagnostics).isEmpty();
      assertThat(allAcked).as("every published message acknowledged\n%s", diagnostics).isTrue();
      assertThat(ledger.ackedCount()).as("messages acknowledged\n%s", diagnostics).isEqualTo(MESSAGES);
    }
  }
}
