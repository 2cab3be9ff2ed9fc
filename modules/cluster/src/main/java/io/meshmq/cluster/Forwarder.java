package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Vertx;
import io.meshmq.broker.routing.Router;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>A node that is alive but slow (its sessions' queues full, its journal behind) answers late: that is its
 * push-back, and the publisher waits for it. A forward not answered within {@code cluster.forward-timeout-seconds}
 * is sent again to that node under the same forward id, which the node routes once ({@link NodeInbox}): a
 * probe, not a second copy, so a slow node is neither given twice the work nor delivers a message twice.
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
  private final java.util.function.Predicate<String> isMember;
  private final DeliveryOptions options;
  private final long failoverMillis;
  final LongAdder forwarded = new LongAdder();
  final LongAdder failed = new LongAdder();
  /** Forwards sent again to a node that had not answered in time (it is alive: slow, not gone). */
  final LongAdder resent = new LongAdder();
  /** Copies of forwards other nodes sent again that this node had already (see NodeInbox): not routed twice. */
  final LongAdder duplicates = new LongAdder();
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

  Forwarder(Vertx vertx, RouteTable routes, java.util.function.Predicate<String> isMember, long timeoutMillis,
            long failoverMillis) {
    this.vertx = vertx;
    this.routes = routes;
    this.isMember = isMember;
    this.options = NodeBus.options().setSendTimeout(timeoutMillis);
    this.failoverMillis = failoverMillis;
  }

  private static boolean isTimeout(Throwable t) {
    return t instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT;
  }

  private static boolean isRecipientFailure(Throwable t) {
    return t instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }

  private long lastSlowLog;

  /** At most one line every 10 s: a slow node can hold thousands of forwards. */
  private void logSlow(String node) {
    long now = System.currentTimeMillis();
    if (now - lastSlowLog >= 10_000) {
      lastSlowLog = now;
      log.info("Node {} has not answered a forward within {} ms: it is alive, so the forward is sent again under the "
          + "same id and waited for ({} so far)", node, options.getSendTimeout(), resent.sum());
    }
  }

  /** Sends a message for one shared group to one node only (a member there takes it over from one that left). */
  void forwardShared(Message message, String node, Delivery.ShareRef share) {
    forwarded.increment();
    Forwarded body = new Forwarded(ThreadLocalRandom.current().nextLong(), message, List.of(share));
    vertx.eventBus().request(NodeBus.address(node), body, options).onComplete(ar -> {
      if (ar.failed()) {
        failed.increment();
        log.warn("Handing {} of shared group {} to node {} failed: {}", message, share, node, ar.cause().toString());
      }
    });
  }

  void forward(Message message, Map<String, List<Delivery.ShareRef>> sharedByNode, Router.Routed done) {
    boolean orphaned = routes.hasOrphans() && routes.matchesOrphans(message.topic());
    Set<String> nodes = routes.remoteNodes(message.topic());
    nodes.addAll(sharedByNode.keySet());
    if (nodes.isEmpty() && !orphaned) {
      done.routed(true);
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
    private final Router.Routed done;
    /** The same for every copy of this forward, so that a node routes a copy sent again only once. */
    private final long forwardId = ThreadLocalRandom.current().nextLong();
    private boolean unsafe;
    private final long deadline = System.currentTimeMillis() + failoverMillis;
    private final Set<String> answered = new HashSet<>();
    private int outstanding;
    private boolean retryNeeded;
    /** Departed nodes with sessions this message was meant for, recovered meanwhile (here or elsewhere). */
    final Set<String> orphanNodes = new HashSet<>(1);

    Delivering(Message message, Map<String, List<Delivery.ShareRef>> shared, Router.Routed done) {
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
            router.routeToClients(message, clients, safe -> {
              if (!safe) {
                unsafe = true;
              }
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
        send(node);
      }
      if (--outstanding == 0) {
        settle();
      }
    }

    /** One request to one node; counted in {@link #outstanding} until it is settled. */
    private void send(String node) {
      Forwarded body = new Forwarded(forwardId, message, shared.getOrDefault(node, List.of()));
      vertx.eventBus().request(NodeBus.address(node), body, options).onComplete(ar -> {
        if (ar.succeeded()) {
          answered.add(node);
        } else if (isTimeout(ar.cause()) && isMember.test(node)) {
          // Alive, and behind: ask again under the same id (routed once there), and keep waiting for it.
          resent.increment();
          logSlow(node);
          send(node);
          return;
        } else if (isRecipientFailure(ar.cause()) && isMember.test(node)) {
          // It routed the message but could not put it on record for its persistent sessions (it lost its cluster):
          // not safe, and the publisher is not told otherwise.
          failed.increment();
          unsafe = true;
          answered.add(node);
          log.warn("Node {} could not keep {} safe: {}", node, message, ar.cause().getMessage());
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
        done.routed(!unsafe);
        return;
      }
      if (System.currentTimeMillis() >= deadline) {
        log.warn("Gave up forwarding {} after {} ms of failover; nodes that have it: {}", message, failoverMillis, answered);
        done.routed(!unsafe);
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
