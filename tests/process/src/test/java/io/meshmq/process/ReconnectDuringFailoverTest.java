package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Persistent-session clients whose node fails come back to a survivor at once, before the cluster has recovered
 * their sessions: the survivor holds their CONNECTs until the sessions are recovered, and answers "session present"
 * (MQTT 3.1.1 and 5.0). They do not subscribe again, and every message the publisher got a PUBACK for, before or
 * during the failover, reaches each of them. A killed process is found dead within a second (its ports refuse);
 * a frozen one only after the member time-out, and the CONNECTs wait that long.
 */
class ReconnectDuringFailoverTest {

  static final int V3_SUBSCRIBERS = 20;
  static final int MESSAGES = 2_000;
  static final double PER_SECOND = 100;
  private ProcessCluster cluster;
  private FanOutStream stream;
  private NumberedV5Subscriber v5;

  @AfterEach
  void stop() {
    if (stream != null) {
      stream.close();
    }
    if (v5 != null) {
      v5.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void clientsOfAKilledNodeGetTheirSessionsBackOnASurvivorAtOnce() throws Exception {
    failOverAndReconnect("killed", BrokerProcess::kill);
  }

  /** In the long profile: the member time-out makes it the slowest case of the default suite otherwise. */
  @Test
  @Tag("long")
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void clientsOfAFrozenNodeWaitForTheMemberTimeoutAndGetTheirSessionsBack() throws Exception {
    // SIGSTOP: its ports still accept (the kernel answers), nothing refuses; only the member time-out finds it dead.
    failOverAndReconnect("frozen", BrokerProcess::freeze);
  }

  private void failOverAndReconnect(String name, java.util.function.Consumer<BrokerProcess> failure) throws Exception {
    Map<String, String> settings = new HashMap<>(NodeState.adminSettings());
    settings.put("cluster.member-timeout-seconds", String.valueOf(CrashTest.MEMBER_TIMEOUT_SECONDS));
    cluster = ProcessCluster.start("reconnect" + name, 3, settings);
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    stream = new FanOutStream(cluster, name, a, b, V3_SUBSCRIBERS, 10);
    Ledger ledger = stream.ledger;
    Ledger.Receiver v5Receiver = ledger.receiver(stream.base.replace('/', '-') + "v5", seq -> true);
    v5 = new NumberedV5Subscriber(v5Receiver.name(), new String[] {b.uri()}, v5Receiver, cluster::nameOf);
    v5.connect(Duration.ofSeconds(10));
    v5.subscribe(stream.base + "#", Duration.ofSeconds(10));
    v5.awaitRoute(stream.publisher.client(), stream.base + "probe", Duration.ofSeconds(20));
    ledger.event(V3_SUBSCRIBERS + " MQTT 3.1.1 and one MQTT 5 persistent sessions on b; " + MESSAGES
        + " QoS 1 messages at " + (int) PER_SECOND + "/s from a");

    stream.publisher.start(MESSAGES, PER_SECOND, Duration.ofSeconds(120));
    ledger.awaitAcked(MESSAGES / 6, Duration.ofSeconds(60), () -> cluster.warnings(40));
    long failedAt = System.currentTimeMillis();
    ledger.event(name + " " + b.name() + " after " + ledger.ackedCount() + " PUBACKs");
    failure.accept(b);
    stream.dropSubscribers();
    v5.close();

    // Back at once, to c: the CONNECTs wait there until b's sessions are recovered.
    v5 = new NumberedV5Subscriber(v5Receiver.name(), new String[] {c.uri()}, v5Receiver, cluster::nameOf)
        .connectionTimeout(40);
    boolean v5Present = v5.connect(Duration.ofSeconds(45));
    long v5BackAfter = System.currentTimeMillis() - failedAt;
    ledger.event("MQTT 5 subscriber back on c " + v5BackAfter + " ms after b " + name + ": session present = "
        + v5Present);
    int present = stream.reconnectSubscribers(c, 40);
    long backAfter = System.currentTimeMillis() - failedAt;
    ledger.event(present + " of " + V3_SUBSCRIBERS + " MQTT 3.1.1 subscribers back on c with their session, "
        + backAfter + " ms after b " + name);

    assertThat(stream.publisher.await(Duration.ofSeconds(120))).as("publisher finished (bounded by count and time)")
        .isTrue();
    boolean allAcked = stream.publisher.awaitAcks(Duration.ofSeconds(60));
    FanOutStream.Losses losses = stream.losses(Duration.ofSeconds(10));
    v5Receiver.awaitAckedReceived(Duration.ofSeconds(10));
    String summary = "b " + name + "; acknowledged " + ledger.ackedCount() + " of " + MESSAGES
        + "; MQTT 5 session present: " + v5Present + " (back " + v5BackAfter + " ms after); MQTT 3.1.1 sessions "
        + "present: " + present + " of " + V3_SUBSCRIBERS + ", all back " + backAfter + " ms after; lost "
        + losses.lost() + " + " + v5Receiver.lost().size() + " (MQTT 5), duplicated " + losses.duplicated() + " + "
        + v5Receiver.duplicated().size() + "\n" + losses.firstLosses() + ledger.report() + cluster.warnings(30);
    Clock.log("ReconnectDuringFailoverTest: " + summary);
    assertThat(v5Present).as("MQTT 5 session present after reconnecting during the failover\n%s", summary).isTrue();
    assertThat(present).as("MQTT 3.1.1 sessions present\n%s", summary).isEqualTo(V3_SUBSCRIBERS);
    assertThat(losses.lost()).as("acknowledged messages never received (MQTT 3.1.1)\n%s", summary).isZero();
    assertThat(v5Receiver.lost()).as("acknowledged messages never received (MQTT 5)\n%s", summary).isEmpty();
    assertThat(allAcked).as("every message acknowledged\n%s", summary).isTrue();
  }
}
