package io.meshmq.broker.routing;

import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.session.SessionStore;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import java.util.List;
import java.util.Map;
import io.vertx.core.Future;

/**
 * What a broker node needs from the cluster: record its routes where other nodes find them, and hand a
 * published message to every other node with a matching route. A standalone node has no other nodes.
 */
public interface ClusterLink extends SubscriptionTable.FilterListener, SessionStore {

  /**
   * Sends the message to every other node that has a route matching its topic, and to the nodes chosen to
   * deliver for shared groups ({@code sharedByNode}: node -> groups it delivers for): one message per node,
   * which routes it to its local subscribers. {@code done} runs (on any thread) once every node has
   * answered, or has been given up on; it is told "not safe" when a node answered that its sessions could not put
   * the message on record.
   */
  void forward(Message message, Map<String, List<Delivery.ShareRef>> sharedByNode, Router.Routed done);

  /**
   * Hands a message of a shared group to a member on another node (for a member that left); false when no
   * other node has members of that group.
   */
  boolean redeliverShared(Message message, Delivery.ShareRef share);

  /** Visits every (group, filter, node) of another node's shared subscriptions whose filter matches the topic. */
  void matchRemoteShared(String topic, RemoteSharedVisitor visitor);

  /** Receives matching shared groups of other nodes. */
  @FunctionalInterface
  interface RemoteSharedVisitor {
    void visit(String group, String filter, String node);
  }

  /**
   * Records that this node now holds the client id; completes once any other node that held it has taken
   * its connection down (MQTT 5: DISCONNECT 0x8E), so that one client id is connected once cluster-wide.
   * Unless {@code cleanStart}, that node hands the session over: the future then carries its state (null
   * when no other node had a session for the client id). It fails when the cluster cannot say where the session
   * is or cannot get it (its node does not answer for longer than the cluster allows a CONNECT to wait): the client
   * is then refused, so that it does not start afresh while its session lives on.
   */
  Future<SessionSnapshot> claimClient(String clientId, boolean cleanStart);

  /** Whether the cluster registry still gives the client id to this node (checked just before CONNACK). */
  Future<Boolean> stillHolds(String clientId);

  /** A session handed over by another node is installed here: that node may pass on what it still gets. */
  void sessionRestored(String clientId);

  /** A connection with a will is up: another node publishes the will if this one dies. */
  void willArmed(WillMessage will);

  /** That will was published, discarded or cancelled: nobody is to publish it any more. */
  void willSettled(WillMessage will);

  /** The session of that client id ended on this node. */
  void releaseClient(String clientId);

  /** Whether this node is one of a cluster (a standalone node's link says no). */
  default boolean isClustered() {
    return false;
  }

  /**
   * How long a session that came from another node drops messages it already has: for a while a message can reach
   * it both through the old node and directly (see Session.restore).
   */
  default long moveDedupeMillis() {
    return 30_000;
  }

  /**
   * How long a delivery may keep its publisher waiting for room in a full queue: a message forwarded by another
   * node holds that node's answer, which must come before the node gives up on it and sends it again.
   */
  default long maxHoldMillis() {
    return Long.MAX_VALUE;
  }

  Future<Boolean> HOLDS = Future.succeededFuture(true);

  ClusterLink STANDALONE = new Standalone();

  /** A single node: no other nodes to route to, nothing to record; a class of its own so that tests can extend it. */
  class Standalone implements ClusterLink {
    @Override
    public Future<Void> firstSubscriber(String filter) {
      return Future.succeededFuture();
    }

    @Override
    public void lastSubscriberGone(String filter) {
    }

    @Override
    public void forward(Message message, Map<String, List<Delivery.ShareRef>> sharedByNode, Router.Routed done) {
      done.routed(true);
    }

    @Override
    public void matchRemoteShared(String topic, RemoteSharedVisitor visitor) {
    }

    @Override
    public boolean redeliverShared(Message message, Delivery.ShareRef share) {
      return false;
    }

    @Override
    public Future<SessionSnapshot> claimClient(String clientId, boolean cleanStart) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> stillHolds(String clientId) {
      return HOLDS;
    }

    @Override
    public void sessionRestored(String clientId) {
    }

    @Override
    public void willArmed(WillMessage will) {
    }

    @Override
    public void willSettled(WillMessage will) {
    }

    @Override
    public void releaseClient(String clientId) {
    }
  }
}
