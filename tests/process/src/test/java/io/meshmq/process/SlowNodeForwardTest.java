package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A node that is alive but slow: the subscribers' node b stops (SIGSTOP) for {@value #PAUSE_SECONDS} s, longer than
 * the forward time-out ({@value #FORWARD_TIMEOUT_SECONDS} s) and shorter than the member time-out, while node a
 * forwards a QoS 1 stream to {@value #SUBSCRIBERS} persistent sessions on it. a sends the unanswered forwards again
 * (b is still a member) and waits; b routes each forward once. No subscriber gets a message twice, none misses an
 * acknowledged one, and the publisher's acknowledgements resume once b does.
 */
class SlowNodeForwardTest {

  static final int SUBSCRIBERS = 50;
  static final int MESSAGES = 300;
  static final double PER_SECOND = 20;
  static final int PAUSE_AFTER_ACKS = 60;
  static final int PAUSE_SECONDS = 5;
  static final int FORWARD_TIMEOUT_SECONDS = 1;

  static ProcessCluster cluster;
  private final List<NumberedSubscriber> subscribers = new ArrayList<>();
  private NumberedPublisher publisher;

  @BeforeAll
  static void startCluster() {
    Map<String, String> settings = new HashMap<>(NodeState.adminSettings());
    settings.put("cluster.member-timeout-seconds", String.valueOf(CrashTest.MEMBER_TIMEOUT_SECONDS));
    settings.put("cluster.forward-timeout-seconds", String.valueOf(FORWARD_TIMEOUT_SECONDS));
    cluster = ProcessCluster.start("slownode", 3, settings);
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
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aPausedNodeGetsEveryForwardOnceAndLosesNothing() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "slow/" + run + "/";
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    Ledger ledger = new Ledger();
    List<Ledger.Receiver> receivers = new ArrayList<>();
    for (int i = 0; i < SUBSCRIBERS; i++) {
      Ledger.Receiver r = ledger.receiver("slow-" + run + "-" + i, seq -> true);
      receivers.add(r);
      // A keep-alive well past the pause: the clients stay connected, so any second copy would be the broker's.
      subscribers.add(new NumberedSubscriber(r.name(), new String[] {b.uri()}, r, cluster::nameOf).keepAlive(60));
    }
    PersistentFanOutCrashTest.connectAll(subscribers);
    PersistentFanOutCrashTest.subscribeAll(subscribers, base + "#");
    publisher = new NumberedPublisher("slow-pub-" + run, new String[] {a.uri()}, true, seq -> base + "data", ledger, 100,
        cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    subscribers.get(0).awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
    double resentBefore = metric(a, "meshmq_cluster_forwards_resent_total");

    publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(90));
    ledger.awaitAcked(PAUSE_AFTER_ACKS, Duration.ofSeconds(30), () -> cluster.warnings(40));
    ledger.event("SIGSTOP " + b.name() + " for " + PAUSE_SECONDS + " s after " + ledger.ackedCount() + " PUBACKs");
    b.freeze();
    Thread.sleep(PAUSE_SECONDS * 1000L);
    b.thaw();
    ledger.event("SIGCONT " + b.name());

    assertThat(publisher.await(Duration.ofSeconds(90))).as("publisher finished (bounded by count and time)").isTrue();
    boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(30));
    for (Ledger.Receiver r : receivers) {
      r.awaitAckedReceived(Duration.ofSeconds(10));
    }
    long lost = 0;
    long duplicated = 0;
    for (Ledger.Receiver r : receivers) {
      lost += r.lost().size();
      duplicated += r.duplicated().size();
    }
    double resent = metric(a, "meshmq_cluster_forwards_resent_total") - resentBefore;
    double ignored = metric(b, "meshmq_cluster_forwards_duplicates_total");
    long[] gap = ledger.longestAckGap();
    String summary = "acknowledged " + ledger.ackedCount() + " of " + MESSAGES + "; lost " + lost + ", duplicated "
        + duplicated + " (over " + SUBSCRIBERS + " subscribers); forwards re-sent by a: " + resent
        + ", copies b ignored: " + ignored + "; longest PUBACK gap " + (gap[1] - gap[0]) + " ms\n"
        + NodeState.describe(a, base, receivers.get(0).name()) + NodeState.describe(b, base, receivers.get(0).name())
        + cluster.warnings(30);
    Clock.log("SlowNodeForwardTest: " + summary);
    assertThat(resent).as("a sent unanswered forwards to the paused b again\n%s", summary).isPositive();
    assertThat(lost).as("acknowledged messages never received\n%s", summary).isZero();
    assertThat(duplicated).as("messages a subscriber got twice\n%s", summary).isZero();
    assertThat(allAcked).as("every message acknowledged\n%s", summary).isTrue();
    assertThat(cluster.node(0).isAlive() && b.isAlive()).isTrue();
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** A counter from the node's /metrics (0 when absent). */
  private static double metric(BrokerProcess node, String name) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics"))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
