package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM of one node of three while MQTT 5 persistent QoS 1 subscribers are connected to it and a QoS 1 stream
 * flows: the node's /health/ready turns 503 (with shutdown.unready-seconds, while MQTT still serves) before it
 * exits; each subscriber gets DISCONNECT 0x8B (server shutting down), reconnects to another node by itself, finds its
 * session there (it never subscribes again) and receives every message the publisher got a PUBACK for.
 */
class DrainTest {

  static final double PER_SECOND = 100;
  static final int UNREADY_SECONDS = 2;
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(45);

  static ProcessCluster cluster;

  private NumberedPublisher publisher;
  private final List<NumberedV5Subscriber> subscribers = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = ProcessCluster.start("drain", 3, Map.of("shutdown.unready-seconds", String.valueOf(UNREADY_SECONDS)));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeClients() {
    for (AutoCloseable c : subscribers) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort
      }
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void clientsOfADrainedNodeAreToldWhyMoveAndLoseNothing() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String base = "drain/" + run + "/";
    BrokerProcess drained = cluster.node(0);
    String a = drained.uri();
    String b = cluster.node(1).uri();
    String c = cluster.node(2).uri();
    Ledger ledger = new Ledger();
    List<Ledger.Receiver> receivers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Ledger.Receiver r = ledger.receiver("drain-v5-" + i + "-" + run, seq -> true);
      receivers.add(r);
      // Both start on the node that will be drained; after it, they try b and c in different orders.
      String[] uris = i == 0 ? new String[] {a, b, c} : new String[] {a, c, b};
      NumberedV5Subscriber s = new NumberedV5Subscriber(r.name(), uris, r, cluster::nameOf);
      subscribers.add(s);
      assertThat(s.connect(Duration.ofSeconds(10))).as("a fresh session").isFalse();
      s.subscribe(base + "#", Duration.ofSeconds(10));
    }
    publisher = new NumberedPublisher("drain-pub-" + run, new String[] {b, c}, false, seq -> base + "n", ledger, 50,
        cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    for (NumberedV5Subscriber s : subscribers) {
      s.awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
    }
    int httpPort = drained.httpPort();
    assertThat(httpPort).as("the drained node's HTTP port, from its log").isPositive();
    assertThat(BrokerProcess.readiness(httpPort)).as("ready before the drain").isEqualTo(200);

    publisher.start(20_000, PER_SECOND, Duration.ofSeconds(120));
    ledger.awaitAcked(200, Duration.ofSeconds(30), () -> cluster.warnings(40));

    // Readiness is polled while the node stops: 200 until SIGTERM, then 503 until the port closes.
    List<Integer> readyStatuses = new CopyOnWriteArrayList<>();
    AtomicBoolean polling = new AtomicBoolean(true);
    Thread poller = new Thread(() -> {
      while (polling.get()) {
        readyStatuses.add(BrokerProcess.readiness(httpPort));
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "readiness-poller");
    poller.start();
    ledger.event("SIGTERM " + drained.name() + " at #" + publisher.published() + ", " + ledger.ackedCount() + " acknowledged");
    BrokerProcess.Exit exit = drained.terminate(EXIT_TIMEOUT);
    polling.set(false);
    poller.join(5_000);
    ledger.event(drained.name() + " exited with code " + exit.code() + " after " + exit.took().toMillis() + " ms");

    // Everyone has moved; the stream goes on a little on the remaining nodes, then stops.
    long moveDeadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < moveDeadline && !subscribers.stream().allMatch(NumberedV5Subscriber::isConnected)) {
      Thread.sleep(100);
    }
    int ackedAfterMove = ledger.ackedCount();
    ledger.awaitAcked(ackedAfterMove + 200, Duration.ofSeconds(30), () -> cluster.warnings(40));
    publisher.stop();
    assertThat(publisher.await(Duration.ofSeconds(15))).as("publisher thread ended").isTrue();
    boolean allAcked = publisher.awaitAcks(Duration.ofSeconds(30));
    for (Ledger.Receiver r : receivers) {
      r.awaitAckedReceived(Duration.ofSeconds(30));
    }

    String report = ledger.report() + "readiness of " + drained.name() + " while it stopped: " + collapse(readyStatuses)
        + "\n" + cluster.warnings(40);
    Clock.log("DrainTest report:\n" + report);
    assertThat(exit.took()).as("the drain ends within shutdown.grace-seconds").isLessThan(Duration.ofSeconds(35));
    assertThat(readyStatuses).as("readiness polled during the stop\n%s", report).contains(503);
    assertThat(readyStatuses.subList(readyStatuses.indexOf(503), readyStatuses.size()))
        .as("never ready again once draining\n%s", report).doesNotContain(200);
    for (int i = 0; i < subscribers.size(); i++) {
      NumberedV5Subscriber s = subscribers.get(i);
      Ledger.Receiver r = receivers.get(i);
      assertThat(s.disconnectReasons()).as("%s: DISCONNECT reason codes\n%s", r.name(), report).containsExactly(0x8B);
      List<String> nodes = s.connectedTo();
      assertThat(nodes).as("%s: connected to the drained node, then another\n%s", r.name(), report).hasSizeGreaterThanOrEqualTo(2);
      assertThat(nodes.get(0)).isEqualTo(a);
      assertThat(nodes.get(nodes.size() - 1)).as("%s ends on a surviving node", r.name()).isIn(b, c);
      assertThat(r.lost()).as("%s: acknowledged messages never received\n%s", r.name(), report).isEmpty();
      assertThat(r.distinct()).as("%s received the stream", r.name()).isGreaterThanOrEqualTo(400);
    }
    assertThat(allAcked).as("every published message acknowledged in the end\n%s", report).isTrue();
  }

  /** 200 200 200 503 503 -1 -> "200 x3, 503 x2, -1 x1". */
  private static String collapse(List<Integer> statuses) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < statuses.size()) {
      int j = i;
      while (j < statuses.size() && statuses.get(j).equals(statuses.get(i))) {
        j++;
      }
      b.append(b.length() == 0 ? "" : ", ").append(statuses.get(i)).append(" x").append(j - i);
      i = j;
    }
    return b.toString();
  }
}
