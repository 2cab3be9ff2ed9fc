package io.meshmq.cluster;

import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker's view of the cluster, over Hazelcast and the clustered event bus. */
final class HazelcastClusterLink implements ClusterLink {

  private static final Logger log = LoggerFactory.getLogger(HazelcastClusterLink.class);

  private final Vertx vertx;
  private final String self;
  private final RouteTable routes;
  private final Forwarder forwarder;
  private final ClientRegistry clients;
  private final WillRegistry wills;
  private final HazelcastSessionStore store;
  private final Predicate<String> isMember;
  private final long timeoutMillis;
  /** How often a held CONNECT looks again at a holder that does not answer (asks it again, or claims anew). */
  private static final long HOLD_LOOK_AGAIN_MILLIS = 1_000;
  private final Recoveries recoveries;
  private final long holdMillis;
  private final long moveDedupeMillis;
  /** Client id -> the node a session is being handed over from, until it is installed here. */
  private final java.util.Map<String, String> movingFrom = new java.util.concurrent.ConcurrentHashMap<>();

  HazelcastClusterLink(Vertx vertx, String self, RouteTable routes, Forwarder forwarder, ClientRegistry clients,
                       WillRegistry wills, HazelcastSessionStore store, Predicate<String> isMember, long timeoutMillis,
                       Recoveries recoveries, long holdMillis, long moveDedupeMillis) {
    this.moveDedupeMillis = moveDedupeMillis;
    this.recoveries = recoveries;
    this.holdMillis = holdMillis;
    this.wills = wills;
    this.store = store;
    this.vertx = vertx;
    this.self = self;
    this.routes = routes;
    this.forwarder = forwarder;
    this.clients = clients;
    this.isMember = isMember;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<Void> firstSubscriber(String filter) {
    return routes.add(filter);
  }

  @Override
  public void lastSubscriberGone(String filter) {
    routes.remove(filter);
  }

  @Override
  public void forward(Message message, java.util.Map<String, java.util.List<io.meshmq.core.message.Delivery.ShareRef>> sharedByNode,
                      io.meshmq.broker.routing.Router.Routed done) {
    forwarder.forward(message, sharedByNode, done);
  }

  @Override
  public boolean redeliverShared(Message message, io.meshmq.core.message.Delivery.ShareRef share) {
    java.util.List<String> nodes = new java.util.ArrayList<>();
    routes.matchShared(message.topic(), (group, filter, node) -> {
      if (group.equals(share.group()) && filter.equals(share.filter())) {
        nodes.add(node);
      }
    });
    if (nodes.isEmpty()) {
      return false;
    }
    String node = nodes.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(nodes.size()));
    forwarder.forwardShared(message, node, share);
    return true;
  }

  @Override
  public void matchRemoteShared(String topic, RemoteSharedVisitor visitor) {
    routes.matchShared(topic, visitor);
  }

  /**
   * Claims the client id for this node and takes over the session of the node that held it. When that node does
   * not answer (it died and is not yet declared dead, or it is being recovered), the CONNECT waits, up to
   * {@code holdMillis}: until the node answers, or until a survivor has recovered its sessions, which brings the
   * client's session to that survivor, from where the next claim takes it over. Starting afresh instead would tell
   * the client "session present = 0" for a session that is not lost, and the recovery would then meet a claim by
   * another node. Past the hold the claim fails: the client is refused and comes back later.
   */
  @Override
  public Future<SessionSnapshot> claimClient(String clientId, boolean cleanStart) {
    return claimClient(clientId, cleanStart, System.currentTimeMillis() + holdMillis);
  }

  private Future<SessionSnapshot> claimClient(String clientId, boolean cleanStart, long deadline) {
    // Hazelcast lost who held the id before (its answer was indeterminate): a persistent session's record says.
    return clients.claim(clientId).recover(e -> e instanceof ClientRegistry.PreviousHolderUnknown
        ? store.holderOf(clientId) : Future.failedFuture(e)).compose(previous -> {
      if (previous == null && recoveries.anyInProgress()) {
        // The oldest survivor forgets a dead node's client ids before it has adopted their sessions: in between, the
        // registry names no one, but the session's record still names the dead node.
        return store.holderOf(clientId).compose(holder -> holder != null && recoveries.inProgress(holder)
            ? holdThenClaim(clientId, cleanStart, deadline, holder, "is being recovered")
            : Future.succeededFuture());
      }
      if (previous == null || previous.equals(self)) {
        return Future.succeededFuture();
      }
      if (!isMember.test(previous)) {
        return recoveries.inProgress(previous)
            ? holdThenClaim(clientId, cleanStart, deadline, previous, "is being recovered")
            : Future.succeededFuture();
      }
      return askHolder(clientId, cleanStart, previous).recover(e -> unanswered(e)
          ? holdThenClaim(clientId, cleanStart, deadline, previous, "does not answer (" + e.getMessage() + ")")
          : Future.failedFuture(e));
    });
  }

  private Future<SessionSnapshot> holdThenClaim(String clientId, boolean cleanStart, long deadline, String holder,
                                                String why) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.failedFuture(new SessionUnavailableException("client " + clientId + ": the node holding its "
          + "session, " + holder + ", " + why + " after cluster.connect-hold-seconds"));
    }
    log.info("Client {}: the node holding its session, {}, {}: holding the CONNECT until it answers or its sessions "
        + "are recovered", clientId, holder, why);
    return recoveries.await(holder, Math.min(left, HOLD_LOOK_AGAIN_MILLIS))
        .compose(v -> claimClient(clientId, cleanStart, deadline));
  }

  private Future<SessionSnapshot> askHolder(String clientId, boolean cleanStart, String previous) {
    log.info("Client {} was held by node {}: asking it to {}", clientId, previous,
        cleanStart ? "end the session" : "hand the session over");
    // A node that leaves the cluster meanwhile never answers: its sessions are recovered elsewhere, and waiting
    // out the time-out would only keep the client waiting longer.
    Promise<SessionSnapshot> answer = Promise.promise();
    long watch = vertx.setPeriodic(HOLD_LOOK_AGAIN_MILLIS, id -> {
      if (!isMember.test(previous)) {
        answer.tryFail(new ReplyException(ReplyFailure.NO_HANDLERS, "node " + previous + " left the cluster"));
      }
    });
    NodeMessage ask = cleanStart ? new NodeMessage.Kick(clientId) : new NodeMessage.HandOver(clientId, self);
    NodeBus.<Object>request(vertx, previous, ask, timeoutMillis).onComplete(ar -> {
      vertx.cancelTimer(watch);
      if (ar.failed()) {
        answer.tryFail(ar.cause());
      } else if (!answer.future().isComplete()) {
        if (ar.result().body() instanceof byte[] bytes) {
          movingFrom.put(clientId, previous);
          answer.complete(SessionWire.decode(bytes));
        } else {
          answer.complete(null);
        }
      }
    });
    return answer.future();
  }

  /** No answer at all from the node: nobody there (any more), or no reply in time. Its own refusals are answers. */
  private static boolean unanswered(Throwable e) {
    return e instanceof ReplyException r
        && (r.failureType() == ReplyFailure.TIMEOUT || r.failureType() == ReplyFailure.NO_HANDLERS);
  }

  @Override
  public boolean isClustered() {
    return true;
  }

  @Override
  public long moveDedupeMillis() {
    return moveDedupeMillis;
  }

  /** Half the forward timeout: the answer to a forwarded message held by a full queue comes before a re-send. */
  @Override
  public long maxHoldMillis() {
    return timeoutMillis / 2;
  }

  @Override
  public Future<Boolean> stillHolds(String clientId) {
    return clients.holder(clientId).map(self::equals);
  }

  @Override
  public void sessionRestored(String clientId) {
    String from = movingFrom.remove(clientId);
    if (from != null) {
      NodeBus.send(vertx, from, new NodeMessage.Ready(clientId));
    }
  }

  @Override
  public Future<Void> messageTaken(String clientId, long sequence, io.meshmq.core.message.Delivery delivery) {
    return store.messageTaken(clientId, sequence, delivery);
  }

  @Override
  public Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
    return store.messageInFlight(clientId, messageId, packetId, released);
  }

  @Override
  public Future<Void> inboundHeld(String clientId, int packetId) {
    return store.inboundHeld(clientId, packetId);
  }

  @Override
  public Future<Void> inboundReleased(String clientId, int packetId) {
    return store.inboundReleased(clientId, packetId);
  }

  @Override
  public void messageDone(String clientId, long messageId) {
    store.messageDone(clientId, messageId);
  }

  @Override
  public void sessionChanged(SessionSnapshot state) {
    store.sessionChanged(state);
  }

  @Override
  public void sessionEnded(String clientId) {
    store.sessionEnded(clientId);
  }

  @Override
  public void sessionLeft(String clientId) {
    store.sessionLeft(clientId);
  }

  @Override
  public void willArmed(WillMessage will) {
    wills.armed(will);
  }

  @Override
  public void willSettled(WillMessage will) {
    wills.settled(will);
  }

  @Override
  public void releaseClient(String clientId) {
    clients.release(clientId);
  }
}
