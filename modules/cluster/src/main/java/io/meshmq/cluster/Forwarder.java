package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a published message to the other nodes with a matching route: one event-bus request per node (not
 * per subscriber), answered once that node has routed it to its local sessions. The publisher is
 * acknowledged after every answer, so an acknowledged QoS 1/2 message is in the target nodes' sessions.
 *
 * <p>Failover: a message that matches routes of a node that died, whose sessions a survivor is still
 * recovering, waits until they are recovered (their routes then point to the survivor); a forward that fails
 * because its target died is sent again to the nodes that now have the routes. Either way the publisher's
 * acknowledgement waits, bounded by {@code failoverMillis}, after which the message is given up on (counted
 * and logged).
 */
final class Forwarder {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final long RETRY_MILLIS = 200;

  private final Vertx vertx;
  private final RouteTable routes;
  private final DeliveryOptions options;
  private final long failoverMillis;
  final LongAdder forwarded = new LongAdder();
  final LongAdder failed = new LongAdder();
  /** Messages other nodes forwarded here that matched no local subscription (see NodeInbox). */
  final LongAdder unmatched = new LongAdder();
  /** Departed node -> the client ids of its sessions recovered on this node (they missed held messages). */
  private final Map<String, Set<String>> recoveredHere = new java.util.concurrent.ConcurrentHashMap<>();
  private io.meshmq.broker.routing.Router router;

  void useRouter(io.meshmq.broker.routing.Router router) {
    this.router = router;
  }

  /** This node recovered these sessions of a departed node. */
  void recoveredHere(String departed, Set<String> clientIds) {
    recoveredHere.put(departed, clientIds);
    vertx.setTimer(2 * failoverMillis, id -> recoveredHere.remove(departed));
  }

  Forwarder(Vertx vertx, RouteTable routes, long timeoutMillis, long failoverMillis) {
    this.vertx = vertx;
    this.routes = routes;
    this.options = new DeliveryOptions().setCodecName(MessageCodec.NAME).setSendTimeout(timeoutMillis);
    this.failoverMillis = failoverMillis;
  }

  static String address(String nodeId) {
    return "meshmq.node." + nodeId;
  }

  /** Sends a message for one shared group to one node only (a member there takes it over from one that left). */
  void forwardShared(Message message, String node, Delivery.ShareRef share) {
    forwarded.increment();
    vertx.eventBus().request(address(node), new Forwarded(message, List.of(share)), options).onComplete(ar -> {
      if (ar.failed()) {
        failed.increment();
        log.warn("Handing {} of shared group {} to node {} failed: {}", message, share, node, ar.cause().toString());
      }
    });
  }

  void forward(Message message, Map<String, List<Delivery.ShareRef>> sharedByNode, Runnable done) {
    boolean orphaned = routes.hasOrphans() && routes.matchesOrphans(message.topic());
    Set<String> nodes = routes.remoteNodes(message.topic());
    nodes.addAll(sharedByNode.keySet());
    if (nodes.isEmpty() && !orphaned) {
      done.run();
      return;
    }
    Delivering d = new Delivering(message, sharedByNode, done);
    if (orphaned) {
      d.orphanNodes.addAll(routes.orphanNodes(message.topic()));
    }
    d.attempt(nodes, orphaned);
  }

  /** One message on its way to the other nodes, until every node that should have it has answered. */
  private final class Delivering {
    private final Message message;
    private final Map<String, List<Delivery.ShareRef>> shared;
    private final Runnable done;
    private final long deadline = System.currentTimeMillis() + failoverMillis;
    private final Set<String> answered = new HashSet<>();
    private int outstanding;
    private boolean retryNeeded;
    /** Departed nodes with sessions this message was meant for, recovered meanwhile (here or elsewhere). */
    final Set<String> orphanNodes = new HashSet<>(1);

    Delivering(Message message, Map<String, List<Delivery.ShareRef>> shared, Runnable done) {
      this.message = message;
      this.shared = shared;
      this.done = done;
    }

    /** Sends to the nodes not yet answered; with orphaned routes in the way, checks again shortly. */
    void attempt(Set<String> nodes, boolean orphaned) {
      nodes.removeAll(answered);
      retryNeeded = orphaned;
      outstanding = 1 + nodes.size(); // one for this attempt itself, released at its end
      if (!orphaned && !orphanNodes.isEmpty() && recoveredAny()) {
        // The sessions of the departed nodes are recovered; those recovered on this node get the message here.
        for (String departed : orphanNodes) {
          Set<String> clients = recoveredHere.get(departed);
          if (clients != null && !clients.isEmpty() && router != null) {
            outstanding++;
            router.routeToClients(message, clients, () -> {
              if (--outstanding == 0) {
                settle();
              }
            });
          }
        }
        orphanNodes.clear();
      }
      for (String node : nodes) {
        forwarded.increment();
        Forwarded body = new Forwarded(message, shared.getOrDefault(node, List.of()));
        vertx.eventBus().request(address(node), body, options).onComplete(ar -> {
          if (ar.succeeded()) {
            answered.add(node);
          } else {
            failed.increment();
            retryNeeded = true;
            // The node may have died: if a survivor recovers its sessions here, they get the message here.
            orphanNodes.add(node);
            log.warn("Forwarding {} to node {} failed: {}", message, node, ar.cause().toString());
          }
          if (--outstanding == 0) {
            settle();
          }
        });
      }
      if (--outstanding == 0) {
        settle();
      }
    }

    private boolean recoveredAny() {
      for (String departed : orphanNodes) {
        if (recoveredHere.containsKey(departed)) {
          return true;
        }
      }
      return false;
    }

    private void settle() {
      if (!retryNeeded) {
        done.run();
        return;
      }
      if (System.currentTimeMillis() >= deadline) {
        log.warn("Gave up forwarding {} after {} ms of failover; nodes that have it: {}", message, failoverMillis, answered);
        done.run();
        return;
      }
      vertx.setTimer(RETRY_MILLIS, id -> {
        Set<String> nodes = routes.remoteNodes(message.topic());
        nodes.addAll(shared.keySet());
        attempt(nodes, routes.hasOrphans() && routes.matchesOrphans(message.topic()));
      });
    }
  }
}
