package io.meshmq.cluster;

import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker's view of the cluster, over Hazelcast and the clustered event bus. */
final class HazelcastClusterLink implements ClusterLink {

  private static final Logger log = LoggerFactory.getLogger(HazelcastClusterLink.class);
  static final String ACTION = "action";
  static final String KICK = "kick";
  static final String HANDOVER = "handover";
  static final String DELIVER = "deliver";
  static final String FROM = "from";
  static final String CLIENT = "client";
  static final String READY = "ready";
  static final String ADOPT = "adopt";
  static final String RECOVERED = "recovered";
  static final String MERGED = "merged";

  private final Vertx vertx;
  private final String self;
  private final RouteTable routes;
  private final Forwarder forwarder;
  private final ClientRegistry clients;
  private final WillRegistry wills;
  private final HazelcastSessionStore store;
  private final Predicate<String> isMember;
  private final long timeoutMillis;
  /** Client id -> the node a session is being handed over from, until it is installed here. */
  private final java.util.Map<String, String> movingFrom = new java.util.concurrent.ConcurrentHashMap<>();

  HazelcastClusterLink(Vertx vertx, String self, RouteTable routes, Forwarder forwarder, ClientRegistry clients,
                       WillRegistry wills, HazelcastSessionStore store, Predicate<String> isMember, long timeoutMillis) {
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

  @Override
  public Future<SessionSnapshot> claimClient(String clientId, boolean cleanStart) {
    return clients.claim(clientId).compose(previous -> {
      if (previous == null || previous.equals(self) || !isMember.test(previous)) {
        return Future.succeededFuture();
      }
      log.info("Client {} was held by node {}: asking it to {}", clientId, previous,
          cleanStart ? "end the session" : "hand the session over");
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis)
          .addHeader(ACTION, cleanStart ? KICK : HANDOVER).addHeader(FROM, self);
      return vertx.eventBus().<Object>request(Forwarder.address(previous), clientId, options)
          .map(reply -> {
            if (reply.body() instanceof byte[] bytes) {
              movingFrom.put(clientId, previous);
              return SessionWire.decode(bytes);
            }
            return null;
          });
    });
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
      vertx.eventBus().send(Forwarder.address(from), clientId, new DeliveryOptions().addHeader(ACTION, READY));
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
