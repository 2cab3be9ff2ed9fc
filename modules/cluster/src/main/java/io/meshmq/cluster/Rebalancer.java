package io.meshmq.cluster;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.session.Session;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evens the connections over the cluster. Behind a TCP load balancer, nodes added by a scale-out get only new
 * connections while long-lived devices stay where they are. Every second each node tells the others how many
 * clients it has ({@link NodeMessage.Load}); a node holding more than the mean by over
 * {@code cluster.rebalance.threshold-percent}, at two looks in a row, asks clients to reconnect elsewhere (MQTT 5
 * DISCONNECT 0x9C, a close for 3.1.1), at most {@code cluster.rebalance.rate} at a time and every other second,
 * until it is down to the mean. Their persistent sessions follow through the usual take-over. Automatic when {@code cluster.rebalance.enabled}; on demand
 * ({@link #onDemand}, the admin API) for {@value #DEMAND_MILLIS} ms otherwise.
 */
final class Rebalancer {

  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
  static final long TICK_MILLIS = 1_000;
  /** How long a rebalancing asked for on demand goes on (rounds stop earlier once the node is within its share). */
  static final long DEMAND_MILLIS = 60_000;

  private final Vertx vertx;
  private final BrokerNode node;
  private final String self;
  private final Supplier<Collection<String>> members;
  private final boolean automatic;
  private final double threshold;
  private final int ratePerSecond;
  /** Other nodes' connection counts, as they last told them. */
  private final Map<String, Integer> loads = new ConcurrentHashMap<>();
  final LongAdder moved = new LongAdder();
  private volatile long demandUntil;
  /** Consecutive looks that found this node over its share. */
  private int overTicks;
  private long timer = -1;

  Rebalancer(Vertx vertx, BrokerNode node, String self, Supplier<Collection<String>> members, boolean automatic,
             int thresholdPercent, int ratePerSecond) {
    this.vertx = vertx;
    this.node = node;
    this.self = self;
    this.members = members;
    this.automatic = automatic;
    this.threshold = thresholdPercent / 100.0;
    this.ratePerSecond = ratePerSecond;
  }

  void start() {
    timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** A node's connection count arrived. */
  void loadOf(String node, int connections) {
    loads.put(node, connections);
  }

  /** Rebalances for the next {@value #DEMAND_MILLIS} ms, whether or not it is automatic here. */
  void onDemand() {
    demandUntil = System.currentTimeMillis() + DEMAND_MILLIS;
    log.info("Rebalancing asked for: this node sheds connections above its share for the next {} s",
        DEMAND_MILLIS / 1000);
  }

  /** Connections per node as last known here (this node's own counted now). */
  Map<String, Integer> loads() {
    Map<String, Integer> out = new java.util.TreeMap<>(loads);
    out.put(self, connections());
    return out;
  }

  private int connections() {
    return (int) node.stats().clientsConnected.sum();
  }

  private void tick() {
    int mine = connections();
    Collection<String> current = members.get();
    for (String m : current) {
      if (!m.equals(self)) {
        NodeBus.send(vertx, m, new NodeMessage.Load(self, mine));
      }
    }
    loads.keySet().retainAll(current);
    if (!automatic && System.currentTimeMillis() > demandUntil) {
      return;
    }
    long total = mine;
    for (String m : current) {
      if (!m.equals(self)) {
        Integer c = loads.get(m);
        if (c == null) {
          return; // a node not heard from yet: the mean would be wrong
        }
        total += c;
      }
    }
    double mean = (double) total / current.size();
    if (mine <= mean * (1 + threshold)) {
      overTicks = 0;
      return;
    }
    // Over at two looks in a row: a reconnect wave passing through (clients moving, a node stopping) is not a load.
    if (++overTicks < 2) {
      return;
    }
    int excess = mine - (int) Math.ceil(mean);
    shed(Math.min(excess, ratePerSecond));
    // The next look only after those clients have had a second to reconnect and the nodes to report them: counted
    // nowhere while they move, they would make this node look over its share still, and it would shed too many.
    overTicks = 0;
  }

  /** Asks up to {@code count} connected clients to reconnect to another node. */
  private void shed(int count) {
    int asked = 0;
    for (Session s : node.sessions().all()) {
      if (asked >= count) {
        break;
      }
      if (s.isOnline()) {
        asked++;
        s.execute(() -> {
          if (s.moveConnection()) {
            moved.increment();
          }
        });
      }
    }
    if (asked > 0) {
      log.info("Rebalancing: asked {} clients to reconnect to another node ({} moved so far)", asked,
          moved.sum() + asked);
    }
  }
}
