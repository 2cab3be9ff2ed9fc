package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  private FanOutStream stream;

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
    if (stream != null) {
      stream.close();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aPausedNodeGetsEveryForwardOnceAndLosesNothing() throws Exception {
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    // A keep-alive well past the pause: the clients stay connected, so any second copy would be the broker's.
    stream = new FanOutStream(cluster, "slow", a, b, SUBSCRIBERS, 60);
    Ledger ledger = stream.ledger;
    double resentBefore = metric(a, "meshmq_cluster_forwards_resent_total");

    stream.publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(90));
    ledger.awaitAcked(PAUSE_AFTER_ACKS, Duration.ofSeconds(30), () -> cluster.warnings(40));
    ledger.event("SIGSTOP " + b.name() + " for " + PAUSE_SECONDS + " s after " + ledger.ackedCount() + " PUBACKs");
    b.freeze();
    Thread.sleep(PAUSE_SECONDS * 1000L);
    b.thaw();
    ledger.event("SIGCONT " + b.name());

    assertThat(stream.publisher.await(Duration.ofSeconds(90))).as("publisher finished (bounded by count and time)")
        .isTrue();
    boolean allAcked = stream.publisher.awaitAcks(Duration.ofSeconds(30));
    FanOutStream.Losses losses = stream.losses(Duration.ofSeconds(10));
    double resent = metric(a, "meshmq_cluster_forwards_resent_total") - resentBefore;
    double ignored = metric(b, "meshmq_cluster_forwards_duplicates_total");
    long[] gap = ledger.longestAckGap();
    String first = stream.receivers.get(0).name();
    String summary = "acknowledged " + ledger.ackedCount() + " of " + MESSAGES + "; lost " + losses.lost()
        + ", duplicated " + losses.duplicated() + " (over " + SUBSCRIBERS + " subscribers); forwards re-sent by a: "
        + resent + ", copies b ignored: " + ignored + "; longest PUBACK gap " + (gap[1] - gap[0]) + " ms\n"
        + losses.firstLosses() + NodeState.describe(a, stream.base, first) + NodeState.describe(b, stream.base, first)
        + cluster.warnings(30);
    Clock.log("SlowNodeForwardTest: " + summary);
    assertThat(resent).as("a sent unanswered forwards to the paused b again\n%s", summary).isPositive();
    assertThat(losses.lost()).as("acknowledged messages never received\n%s", summary).isZero();
    assertThat(losses.duplicated()).as("messages a subscriber got twice\n%s", summary).isZero();
    assertThat(allAcked).as("every message acknowledged\n%s", summary).isTrue();
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
