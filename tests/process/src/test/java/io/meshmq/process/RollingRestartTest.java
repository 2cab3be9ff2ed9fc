package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
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
 * Three broker JVMs restarted one by one (SIGTERM, wait for the exit, start again, wait until ready, let it settle)
 * while a QoS 1 publisher streams numbered messages. Every message the publisher got a PUBACK for must reach each
 * persistent QoS 1 subscriber that matches it (duplicates are allowed by QoS 1 and reported):
 * <ul>
 *   <li>an online subscriber (every message), which reconnects automatically over the three node URIs: when its node
 *   stops it moves, and its session follows it (hand-over on reconnect);</li>
 *   <li>an offline subscriber (every tenth message), whose session was left on node a: nobody reconnects for it, so
 *   only the graceful drain of a stopping node (re-homing its sessions on the others) keeps that session and its
 *   queue through the restarts; it reconnects at the end and must find them.</li>
 * </ul>
 * Clients reconnect over the URIs in different orders. With restart order a, b, c: the online subscriber (a, b, c)
 * starts on a, moves to b when a stops and back to a when b stops; the publisher (b, c, a) starts on b, moves to c
 * when b stops and to a (or b) when c stops.
 */
class RollingRestartTest {

  static final double PER_SECOND = 100;
  /** Bounds of the stream; it normally ends when the restarts are done. */
  static final int MAX_MESSAGES = 30_000;
  static final Duration MAX_STREAM = Duration.ofSeconds(200);
  /** A graceful stop (drain included) must end within this; shutdown.grace-seconds is 30 by default. */
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(45);
  /** After a node is back: time for it to settle (routes, client moves) before the next restart. */
  static final long SETTLE_MILLIS = 4_000;

  static ProcessCluster cluster;

  private NumberedPublisher publisher;
  private NumberedSubscriber online;
  private NumberedSubscriber offline;

  @BeforeAll
  static void startCluster() {
    cluster = ProcessCluster.start("rolling", 3, Map.of());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeClients() {
    for (AutoCloseable c : new AutoCloseable[] {publisher, online, offline}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @Test
  @Timeout(value = 280, unit = TimeUnit.SECONDS)
  void rollingRestartLosesNoAcknowledgedMessage() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "roll/" + run + "/";
    String tenth = base + "d/tenth";
    String a = cluster.node(0).uri();
    String b = cluster.node(1).uri();
    String c = cluster.node(2).uri();
    Ledger ledger = new Ledger();
    Ledger.Receiver onlineGot = ledger.receiver("roll-online-" + run, seq -> true);
    Ledger.Receiver offlineGot = ledger.receiver("roll-offline-" + run, seq -> seq % 10 == 0);

    offline = new NumberedSubscriber("roll-offline-" + run, new String[] {a, b, c}, offlineGot, cluster::nameOf);
    offline.connect(Duration.ofSeconds(10));
    offline.subscribe(tenth, Duration.ofSeconds(10));
    online = new NumberedSubscriber("roll-online-" + run, new String[] {a, b, c}, onlineGot, cluster::nameOf);
    online.connect(Duration.ofSeconds(10));
    online.subscribe(base + "#", Duration.ofSeconds(10));
    publisher = new NumberedPublisher("roll-pub-" + run, new String[] {b, c, a}, false,
        seq -> seq % 10 == 0 ? tenth : base + "d/other", ledger, 50, cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    online.awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
    offline.awaitRoute(publisher.client(), tenth, Duration.ofSeconds(20));
    offline.disconnect(Duration.ofSeconds(10));
    ledger.event("routes in place; streaming QoS 1 messages at " + (int) PER_SECOND + "/s");

    long streamStart = System.currentTimeMillis();
    publisher.start(MAX_MESSAGES, PER_SECOND, MAX_STREAM);
    ledger.awaitAcked(200, Duration.ofSeconds(30), () -> cluster.warnings(40));

    List<String> exits = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      BrokerProcess n = cluster.node(i);
      ledger.event("SIGTERM " + n.name() + " (pid " + n.pid() + ") at #" + publisher.published() + ", "
          + ledger.ackedCount() + " acknowledged");
      long t0 = System.currentTimeMillis();
      BrokerProcess.Exit exit = cluster.restart(i, EXIT_TIMEOUT);
      exits.add(n.name() + ": exit code " + exit.code() + " " + exit.took().toMillis() + " ms after SIGTERM, ready "
          + (System.currentTimeMillis() - t0) + " ms after SIGTERM");
      ledger.event(n.name() + " exited (code " + exit.code() + ") " + exit.took().toMillis()
          + " ms after SIGTERM; restarted and ready (pid " + n.pid() + ")");
      Thread.sleep(SETTLE_MILLIS);
    }
    ledger.event("restarts done; stopping the stream");
    publisher.stop();
    assertThat(publisher.await(Duration.ofSeconds(15))).as("publisher thread ended").isTrue();
    boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(30));
    onlineGot.awaitAckedReceived(Duration.ofSeconds(30));
    boolean offlineSessionPresent = offline.connect(Duration.ofSeconds(20));
    offlineGot.awaitAckedReceived(Duration.ofSeconds(30));
    long streamEnd = System.currentTimeMillis();

    String report = ledger.report() + "stream " + (streamEnd - streamStart) + " ms; restarts:\n  "
        + String.join("\n  ", exits) + "\nonline subscriber last on " + cluster.nameOf(online.server())
        + "; offline subscriber's session present after the restarts: " + offlineSessionPresent + "\n"
        + "sessions re-homed / handed over (node logs):\n  " + String.join("\n  ", sessionMoves()) + "\n";
    Clock.log("RollingRestartTest report:\n" + report);
    StringBuilder diagnostics = new StringBuilder(report).append('\n');
    for (Ledger.Receiver r : List.of(onlineGot, offlineGot)) {
      List<Integer> lost = r.lost();
      if (!lost.isEmpty()) {
        long first = ledger.sendTime(lost.get(0));
        diagnostics.append("node logs around the first message ").append(r.name()).append(" lost (#")
            .append(lost.get(0)).append("):\n").append(cluster.window(first - 3_000, first + 3_000, 80)).append('\n');
      }
    }
    diagnostics.append(cluster.warnings(60));

    assertThat(onlineGot.lost()).as("acknowledged messages the online subscriber never received\n%s", diagnostics)
        .isEmpty();
    assertThat(offlineSessionPresent).as("the offline subscriber's session survived the restarts\n%s", diagnostics)
        .isTrue();
    assertThat(offlineGot.lost()).as("acknowledged messages the offline subscriber never received\n%s", diagnostics)
        .isEmpty();
    assertThat(allAcked).as("every published message acknowledged in the end\n%s", diagnostics).isTrue();
  }

  /** The nodes' own account of where sessions went. */
  private static List<String> sessionMoves() {
    List<String> out = new ArrayList<>();
    for (BrokerProcess n : cluster.nodes()) {
      for (String line : NodeLogs.matching(n.logFile(), "re-homed|handed over|Re-homing|did not adopt")) {
        out.add(line + "  [" + n.name() + "]");
      }
    }
    out.sort(null);
    return out;
  }
}
