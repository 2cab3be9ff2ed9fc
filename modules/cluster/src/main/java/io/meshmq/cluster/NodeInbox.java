package io.meshmq.cluster;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's single clustered event-bus consumer (vertx-hazelcast stores every consumer cluster-wide, so
 * there is one per node, never one per client): forwarded messages, answered once routed here, and requests
 * to take a client's connection down because the client connected to another node.
 */
final class NodeInbox extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NodeInbox.class);


  private final BrokerNode node;
  private final String address;
  private final Mobility mobility;
  private MessageConsumer<Object> consumer;
  /** Sessions handed to another node and still passing on what arrives here, by client id. */
  private final java.util.Map<String, Session> moving = new java.util.concurrent.ConcurrentHashMap<>();

  private final ClientRegistry clients;

  private final RouteTable routes;
  private final Forwarder forwarder;
  private final String self;

  private final Reconciler reconciler;
  private final ForwardsSeen seen;
  private final Recoveries recoveries;
  private final Rebalancer rebalancer;

  NodeInbox(BrokerNode node, String address, Mobility mobility, ClientRegistry clients, RouteTable routes,
            Forwarder forwarder, String self, Reconciler reconciler, long forwardTimeoutMillis, Recoveries recoveries,
            Rebalancer rebalancer) {
    this.rebalancer = rebalancer;
    this.reconciler = reconciler;
    this.recoveries = recoveries;
    // A copy comes at the earliest one time-out after its first; kept two time-outs to be safe.
    this.seen = new ForwardsSeen(2 * forwardTimeoutMillis, System::currentTimeMillis);
    this.routes = routes;
    this.forwarder = forwarder;
    this.self = self;
    this.node = node;
    this.address = address;
    this.mobility = mobility;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(address, msg -> {
      if (!(msg.body() instanceof NodeMessage m)) {
        msg.fail(400, "not a node message: " + msg.body());
        return;
      }
      switch (m.kind()) {
        case FORWARD -> forwarded(msg, (Forwarded) m);
        case KICK -> kick(msg, ((NodeMessage.Kick) m).clientId());
        case HAND_OVER -> handOver(msg, ((NodeMessage.HandOver) m).clientId(), ((NodeMessage.HandOver) m).to());
        case READY -> ready(((NodeMessage.Ready) m).clientId());
        // Answered once the session's messages are on this node's journal: the leaving node's may go then.
        case ADOPT -> adopt(((NodeMessage.Adopt) m).session()).onComplete(ar -> msg.reply(null));
        case DELIVER -> deliverToMovedSession(((NodeMessage.Deliver) m).clientId(), ((NodeMessage.Deliver) m).delivery());
        case RECOVERED -> recovered((NodeMessage.Recovered) m);
        case MERGED -> {
          log.info("Node {} merged back into the cluster after a split brain: reconciling routes and client ids here",
              ((NodeMessage.Merged) m).from());
          reconciler.run();
        }
        case LOAD -> rebalancer.loadOf(((NodeMessage.Load) m).node(), ((NodeMessage.Load) m).connections());
        case REBALANCE -> rebalancer.onDemand();
        default -> msg.fail(400, "unknown node message " + m.kind());
      }
    });
    return consumer.completion();
  }

  /** A published message another node forwarded: routed here once per forward id, answered once routed. */
  private void forwarded(io.vertx.core.eventbus.Message<Object> msg, Forwarded f) {
    Future<Boolean> earlier = seen.seen(f.forwardId());
    if (earlier != null) {
      // A copy sent again because the first was answered late: answered when the first is routed, not routed twice.
      forwarder.duplicates.increment();
      earlier.onComplete(ar -> answer(msg, ar.succeeded() && ar.result()));
      return;
    }
    log.debug("Forwarded {} with shared groups {}", f.message(), f.shares());
    io.vertx.core.Promise<Boolean> routed = io.vertx.core.Promise.promise();
    seen.routing(f.forwardId(), routed.future());
    int sessions = node.router().routeLocal(f.message(), f.shares(), safe -> {
      routed.complete(safe);
      answer(msg, safe);
    });
    if (sessions == 0) {
      unmatched(f);
    }
  }

  /** The client connected to another node with a clean start: its session here ends. */
  private void kick(io.vertx.core.eventbus.Message<Object> msg, String clientId) {
    Session s = node.sessions().get(clientId);
    if (s == null) {
      msg.reply(null);
      return;
    }
    log.info("Client {} connected to another node with a clean start: ending its session here", clientId);
    s.execute(() -> {
      s.discard();
      msg.reply(null);
    });
  }

  /** The node a session was handed to has installed it. */
  private void ready(String clientId) {
    Session s = moving.get(clientId);
    if (s != null) {
      s.execute(s::newHomeReady);
      vertx.setTimer(2 * mobility.graceMillis(), id -> moving.remove(clientId, s));
    }
  }

  private void recovered(NodeMessage.Recovered note) {
    if (note.adopter().equals(self)) {
      forwarder.recoveredHere(note.departed(), new java.util.HashSet<>(note.clients()));
    }
    routes.orphansRecovered(note.departed(), java.util.Map.of(note.adopter(), note.routes()));
    recoveries.recovered(note.departed());
    log.info("Sessions of departed node {} recovered on {}: {} routes", note.departed(), note.adopter(),
        note.routes().size());
  }

  /** Routed: an answer, or a failure when a persistent session here could not put the message on record. */
  private static void answer(io.vertx.core.eventbus.Message<Object> msg, boolean safe) {
    if (safe) {
      msg.reply(null);
    } else {
      msg.fail(503, "routed, but a persistent session could not put it on record: this node lost its cluster");
    }
  }

  /**
   * A forwarded message that no session here took: the sender's route table was behind (an unsubscribe on its
   * way), or, if it keeps happening, out of step with this node's subscriptions. Counted, and logged at most
   * every {@value #UNMATCHED_LOG_MILLIS} ms.
   */
  private void unmatched(Forwarded f) {
    forwarder.unmatched.increment();
    long now = System.currentTimeMillis();
    if (now - lastUnmatchedLog >= UNMATCHED_LOG_MILLIS) {
      lastUnmatchedLog = now;
      log.info("A forwarded message matched no subscription here: {} (shared groups {}); {} so far", f.message(),
          f.shares(), forwarder.unmatched.sum());
    }
  }

  private static final long UNMATCHED_LOG_MILLIS = 10_000;
  private long lastUnmatchedLog;

  /** The client reconnected to node {@code to}: send it the session, and follow up with what still arrives here. */
  private void handOver(io.vertx.core.eventbus.Message<Object> msg, String clientId, String to) {
    Session s = node.sessions().get(clientId);
    if (s == null) {
      msg.reply(null);
      return;
    }
    s.execute(() -> {
      SessionSnapshot snapshot = s.handOver(
          d -> NodeBus.send(vertx, to, new NodeMessage.Deliver(clientId, d)), mobility.graceMillis(),
          mobility.readyTimeoutMillis());
      moving.put(clientId, s);
      log.info("Session {} handed over to node {}: {} subscriptions, {} in flight, {} queued", clientId, to,
          snapshot.subscriptions().size(), snapshot.inflight().size(), snapshot.queued().size());
      msg.reply(SessionWire.encode(snapshot));
    });
  }

  /** A leaving node re-homes one of its sessions here: it lives on, offline, with its routes now here. */
  private Future<Boolean> adopt(SessionSnapshot snapshot) {
    return SessionAdoption.adopt(node, clients, context, snapshot, mobility.dedupeMillis()).onSuccess(adopted -> {
      if (adopted) {
        log.info("Session {} re-homed here: {} subscriptions, {} in flight, {} queued", snapshot.clientId(),
            snapshot.subscriptions().size(), snapshot.inflight().size(), snapshot.queued().size());
      } else {
        log.info("Session {} re-homed here, but its client already connected here: keeping the live session",
            snapshot.clientId());
      }
    });
  }

  private void deliverToMovedSession(String clientId, io.meshmq.core.message.Delivery d) {
    Session s = node.sessions().get(clientId);
    if (s == null) {
      // The session moved on again (the client reconnected elsewhere): its forwarding ghost passes it on.
      s = moving.get(clientId);
    }
    if (s == null) {
      log.warn("A message followed session {} here, but the session is gone", clientId);
      return;
    }
    Session target = s;
    target.execute(() -> target.deliver(d));
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }
}
