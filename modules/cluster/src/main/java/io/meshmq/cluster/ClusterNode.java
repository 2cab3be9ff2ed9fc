package io.meshmq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.meshmq.broker.Broker;
import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker node that is a member of a cluster: a clustered Vert.x on Hazelcast, the broker started over the
 * cluster's route table, retained store and client registry, the node's event-bus inbox, and the handling of
 * members that leave or die. Ready (the start future completes) once the route table is loaded.
 */
public final class ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  /** The member attribute under which vertx-hazelcast records a member's Vert.x node id. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";
  /** How long a leaving node waits for its connections' close handlers before re-homing sessions. */
  private static final long SETTLE_MILLIS = 5_000;
  /** How long other nodes keep a departed node's routes as orphans, waiting for its sessions' recovery. */
  private static final long ORPHAN_MILLIS = 60_000;

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final Broker broker;
  private final RouteTable routes;
  private final HazelcastRetainedStore retained;
  private final Forwarder forwarder;
  private final HazelcastSessionStore store;
  private final long reconcileTimer;
  private final Reconciler reconciler;
  private final Rebalancer rebalancer;
  private final ClusterSysTopics sysTopics;
  private final UUID membershipRegistration;
  private final UUID lifecycleRegistration;

  private final Mobility mobility;
  private final StalledHandshakeReaper stalledHandshakes;
  /** Completed when Hazelcast stopped under this node (see {@link #lost()}). */
  private final Promise<String> lost = Promise.promise();
  private volatile boolean fenced;
  /** Set first thing in {@link #stop()}: a draining node reports itself not ready. */
  private volatile boolean draining;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager, Broker broker, RouteTable routes,
                      HazelcastRetainedStore retained, Forwarder forwarder, ClientRegistry clients, Reconciler reconciler,
                      WillRegistry wills, HazelcastSessionStore store, Recoveries recoveries, Rebalancer rebalancer,
                      Mobility mobility, long reconcileMillis) {
    this.reconciler = reconciler;
    this.rebalancer = rebalancer;
    rebalancer.start();
    this.sysTopics = new ClusterSysTopics(vertx, broker.node(), manager.getHazelcastInstance(), rebalancer);
    sysTopics.start(broker.node().settings().get(BrokerSettings.SYS_INTERVAL_SECONDS));
    this.mobility = mobility;
    this.vertx = vertx;
    this.manager = manager;
    this.broker = broker;
    this.routes = routes;
    this.retained = retained;
    this.forwarder = forwarder;
    this.store = store;
    this.membershipRegistration = manager.getHazelcastInstance().getCluster()
        .addMembershipListener(new Departures(manager.getHazelcastInstance(), routes, clients, wills, store, broker,
            forwarder, manager, recoveries, sysTopics));
    this.reconcileTimer = vertx.setPeriodic(reconcileMillis, id -> reconciler.run());
    this.stalledHandshakes = new StalledHandshakeReaper(vertx, manager.getHazelcastInstance());
    stalledHandshakes.start();
    // A healed split brain: converge at once rather than at the next periodic round, here and on the nodes of
    // the other side (they see members join, but not when this side's entries have been merged in).
    this.lifecycleRegistration = manager.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING -> reconciler.mergeStarted();
        case MERGED -> {
          reconciler.mergeEnded();
          log.info("This node merged back into the cluster after a split brain: reconciling routes and client ids");
          vertx.runOnContext(v -> {
            reconciler.run();
            tellOthersMerged();
          });
        }
        case MERGE_FAILED -> reconciler.mergeEnded();
        case SHUTTING_DOWN -> {
          if (!draining) {
            fence();
          }
        }
        default -> { }
      }
    });
  }

  /** Joins the cluster and starts the broker on it. */
  public static Future<ClusterNode> start(Settings settings, Authenticator authenticator, Authorizer authorizer) {
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastConfigs.build(settings));
    // A promise of no Vert.x context: the futures of a Vert.x instance report on its event loops, and after a failed
    // start closes that instance they would never report at all (a node that could not bind its MQTT port hung).
    Promise<ClusterNode> started = Promise.promise();
    Vertx.builder().with(vertxOptions(settings)).withClusterManager(manager).buildClustered().onComplete(built -> {
      if (built.failed()) {
        started.fail(built.cause());
        return;
      }
      Vertx vertx = built.result();
      assemble(vertx, manager, settings, authenticator, authorizer).onComplete(assembled -> {
        if (assembled.succeeded()) {
          started.complete(assembled.result());
        } else {
          closeThenFail(vertx, assembled.cause(), started);
        }
      });
    });
    return started.future();
  }

  /** Closes Vert.x (leaving the cluster) after a failed start, from a thread of its own, then fails the start. */
  private static void closeThenFail(Vertx vertx, Throwable cause, Promise<ClusterNode> started) {
    Thread closer = new Thread(() -> {
      try {
        vertx.close().await(CLOSE_AFTER_FAILED_START_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Closing Vert.x after a failed start: {}", e.toString());
      }
      started.fail(cause);
    }, "meshmq-close-after-failed-start");
    closer.setDaemon(true);
    closer.start();
  }

  private static final long CLOSE_AFTER_FAILED_START_SECONDS = 30;

  private static Future<ClusterNode> assemble(Vertx vertx, HazelcastClusterManager manager, Settings settings,
                                              Authenticator authenticator, Authorizer authorizer) {
    vertx.eventBus().registerCodec(new NodeMessageCodec());
    HazelcastInstance hz = manager.getHazelcastInstance();
    String self = manager.getNodeId();
    long timeout = TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.FORWARD_TIMEOUT_SECONDS));
    RouteTable routes = new RouteTable(vertx, hz.getMap(HazelcastConfigs.ROUTES), self);
    HazelcastRetainedStore retained = new HazelcastRetainedStore(vertx, hz.getMap(HazelcastConfigs.RETAINED));
    ClientRegistry clients = new ClientRegistry(vertx, hz.getMap(HazelcastConfigs.CLIENTS), self);
    WillRegistry wills = new WillRegistry(vertx, hz.getMap(HazelcastConfigs.WILLS), self);
    com.hazelcast.map.IMap<JournalKey, byte[]> journalMap = hz.getMap(HazelcastConfigs.SESSION_JOURNAL);
    SessionJournal journal = new SessionJournal(vertx, journalMap, self,
        new LocalPartitionKey(hz.getPartitionService(), self, hz.getPartitionService().getPartitions().size()),
        settings.get(ClusterSettings.JOURNAL_MAX_ENTRY_BYTES),
        TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.JOURNAL_CARRY_FORWARD_SECONDS)),
        settings.get(ClusterSettings.JOURNAL_LINGER_MILLIS));
    HazelcastSessionStore store = new HazelcastSessionStore(vertx, self, hz.getMap(HazelcastConfigs.SESSIONS), journalMap, journal);
    // How long a message waits for a dead node's sessions to be recovered elsewhere: detection plus recovery.
    long failover = TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.MEMBER_TIMEOUT_SECONDS) + 30);
    Forwarder forwarder = new Forwarder(vertx, routes, node -> manager.getNodes().contains(node), timeout, failover);
    long hold = TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.CONNECT_HOLD_SECONDS));
    Mobility mobility = Mobility.of(settings);
    Recoveries recoveries = new Recoveries(vertx, 2 * hold + failover);
    HazelcastClusterLink link = new HazelcastClusterLink(vertx, self, routes, forwarder, clients, wills, store,
        node -> manager.getNodes().contains(node), timeout, recoveries, hold, mobility.dedupeMillis());
    Settings named = settings.get(BrokerSettings.NODE_ID).isEmpty() ? settings.with(BrokerSettings.NODE_ID, self) : settings;
    return routes.start()
        .compose(v -> retained.start())
        .compose(v -> Broker.start(vertx, named, retained, link, authenticator, authorizer))
        .map(broker -> {
          forwarder.useRouter(broker.node().router());
          return broker;
        })
        .compose(broker -> {
          Reconciler reconciler = new Reconciler(broker.node(), routes, clients, node -> manager.getNodes().contains(node));
          Rebalancer rebalancer = new Rebalancer(vertx, broker.node(), self, manager::getNodes,
              settings.get(ClusterSettings.REBALANCE_ENABLED), settings.get(ClusterSettings.REBALANCE_THRESHOLD_PERCENT),
              settings.get(ClusterSettings.REBALANCE_RATE));
          return vertx.deployVerticle(new NodeInbox(broker.node(), NodeBus.address(self), mobility, clients, routes,
                forwarder, self, reconciler, timeout, recoveries, rebalancer))
            .map(id -> {
              log.info("Node {} joined cluster '{}' with {} members; {} remote routes loaded", self,
                  settings.get(ClusterSettings.NAME), hz.getCluster().getMembers().size(), routes.remoteRouteCount());
              return new ClusterNode(vertx, manager, broker, routes, retained, forwarder, clients, reconciler, wills,
                  store, recoveries, rebalancer, mobility,
                  TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.RECONCILE_INTERVAL_SECONDS)));
            });
        });
  }

  private static VertxOptions vertxOptions(Settings settings) {
    VertxOptions options = new VertxOptions();
    if (settings.get(BrokerSettings.EVENT_LOOPS) > 0) {
      options.setEventLoopPoolSize(settings.get(BrokerSettings.EVENT_LOOPS));
    }
    EventBusOptions bus = options.getEventBusOptions();
    bus.setHost(settings.get(ClusterSettings.EVENTBUS_HOST)).setPort(settings.get(ClusterSettings.EVENTBUS_PORT));
    if (!settings.get(ClusterSettings.EVENTBUS_PUBLIC_HOST).isEmpty()) {
      bus.setClusterPublicHost(settings.get(ClusterSettings.EVENTBUS_PUBLIC_HOST));
    }
    return options;
  }

  public Broker broker() {
    return broker;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The node id other nodes know this one by (the Vert.x cluster node id). */
  public String nodeId() {
    return manager.getNodeId();
  }

  public int mqttPort() {
    return broker.mqttPort();
  }

  Reconciler reconciler() {
    return reconciler;
  }

  RouteTable routes() {
    return routes;
  }

  HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** Messages forwarded to other nodes, and those that failed. */
  public long forwardedCount() {
    return forwarder.forwarded.sum();
  }

  public long forwardFailures() {
    return forwarder.failed.sum();
  }

  /** Cluster connections closed because a non-member accepted them and never answered (see StalledHandshakeReaper). */
  public long stalledHandshakesClosed() {
    return stalledHandshakes.closed.sum();
  }

  /** Forwards sent again to a node that is alive but had not answered within the forward time-out. */
  public long forwardsResent() {
    return forwarder.resent.sum();
  }

  /** Copies of forwards other nodes sent again that this node had already routed (answered, not routed twice). */
  public long forwardDuplicatesIgnored() {
    return forwarder.duplicates.sum();
  }

  /** This node's session journal: entries written, records in them, bytes, writes retried, entries deleted. */
  public JournalFigures journalFigures() {
    SessionJournal j = store.journal();
    return new JournalFigures(j.entriesWritten.sum(), j.recordsWritten.sum(), j.bytesWritten.sum(), j.writeRetries.sum(),
        j.entriesDeleted.sum(), j.liveItems());
  }

  /** What the session journal has done (see {@link #journalFigures()}). */
  public record JournalFigures(long entriesWritten, long recordsWritten, long bytesWritten, long writeRetries,
                               long entriesDeleted, int liveItems) {
  }

  /** Messages other nodes forwarded here that matched no subscription here (their route table was behind). */
  /** Clients this node asked to reconnect elsewhere to even the cluster's load. */
  public long connectionsMoved() {
    return rebalancer.moved.sum();
  }

  /** Connections per node, as this node last heard (its own counted now). */
  public java.util.Map<String, Integer> connectionsPerNode() {
    return rebalancer.loads();
  }

  /** Asks every node to even out the connections now (for {@value Rebalancer#DEMAND_MILLIS} ms). */
  public void rebalance() {
    for (String member : manager.getNodes()) {
      NodeBus.send(vertx, member, new NodeMessage.Rebalance(manager.getNodeId()));
    }
  }

  public long forwardedUnmatched() {
    return forwarder.unmatched.sum();
  }

  /**
   * Whether {@link #stop()} has begun, or Hazelcast stopped under the node ({@link #lost()}): it must not be given
   * new clients.
   */
  public boolean isDraining() {
    return draining;
  }

  /**
   * Whether Hazelcast reports the cluster safe (every partition's backups in sync). Asks the other members, so
   * it blocks: call it from a worker thread, never from an event loop.
   */
  public boolean isClusterSafe() {
    HazelcastInstance hz = manager.getHazelcastInstance();
    return hz.getLifecycleService().isRunning() && hz.getPartitionService().isClusterSafe();
  }

  /** The Vert.x node ids of the cluster's members, this one included. */
  public List<String> memberNodeIds() {
    return List.copyOf(manager.getNodes());
  }

  /** Routes in this node's table: the other nodes' (mirrored) plus its own filters with local subscribers. */
  public int routeTableSize() {
    return routes.remoteRouteCount() + broker.node().subscriptions().filterCount();
  }

  /** The route table as this node sees it: route key (filter or $share/group/filter) -> nodes, sorted. */
  public java.util.Map<String, java.util.SortedSet<String>> routeSnapshot() {
    return routes.snapshot();
  }

  /**
   * Leaves the cluster gracefully: stops accepting, takes the clients down (MQTT 5: DISCONNECT 0x8B, or 0x9C with shutdown.disconnect-reason), re-homes
   * every remaining persistent session on the other nodes (subscriptions, in-flight and queued messages; what
   * still arrives here follows them until every node routes to their new home), then leaves Hazelcast.
   */
  public Future<Void> stop() {
    draining = true;
    vertx.cancelTimer(reconcileTimer);
    rebalancer.stop();
    sysTopics.stop();
    stalledHandshakes.stop();
    try {
      manager.getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
      manager.getHazelcastInstance().getLifecycleService().removeLifecycleListener(lifecycleRegistration);
    } catch (RuntimeException e) {
      log.debug("membership listener already gone", e);
    }
    String self = manager.getNodeId();
    List<String> others = new ArrayList<>(manager.getNodes());
    others.remove(self);
    // A node that Hazelcast left (lost()) has nobody to hand its sessions to: the others recovered them already.
    boolean canRehome = !others.isEmpty() && !fenced;
    return broker.stop()
        .compose(v -> canRehome ? rehomeSessions(others) : Future.succeededFuture())
        .eventually(() -> {
          routes.stop();
          retained.stop();
          return vertx.close();
        });
  }

  private Future<Void> rehomeSessions(List<String> targets) {
    return settled(System.currentTimeMillis() + SETTLE_MILLIS).compose(v -> {
      List<Future<Void>> moves = new ArrayList<>();
      int next = 0;
      for (Session s : broker.node().sessions().all()) {
        if (!s.hasEnded()) {
          moves.add(rehome(s, targets.get(next++ % targets.size())));
        }
      }
      if (moves.isEmpty()) {
        return Future.succeededFuture();
      }
      log.info("Re-homing {} sessions on {} other nodes before leaving", moves.size(), targets.size());
      Promise<Void> graceOver = Promise.promise();
      return Future.join(moves).compose(done -> {
        // What is still routed here follows the sessions until every node has learnt their new routes.
        vertx.setTimer(mobility.graceMillis() + 500, id -> graceOver.complete());
        return graceOver.future();
      });
    });
  }

  /** Completes once every session has seen its connection go (or at the deadline). */
  private Future<Void> settled(long deadline) {
    boolean online = false;
    for (Session s : broker.node().sessions().all()) {
      online |= s.isOnline();
    }
    if (!online || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(20, id -> settled(deadline).onComplete(later));
    return later.future();
  }

  private Future<Void> rehome(Session s, String target) {
    Promise<Void> moved = Promise.promise();
    s.execute(() -> {
      SessionSnapshot snapshot = s.handOver(
          d -> NodeBus.send(vertx, target, new NodeMessage.Deliver(s.clientId(), d)), mobility.graceMillis(),
          mobility.rehomeReadyMillis());
      NodeBus.request(vertx, target, new NodeMessage.Adopt(snapshot), mobility.rehomeMillis()).onComplete(ar -> {
        if (ar.succeeded()) {
          s.execute(s::newHomeReady);
        } else {
          log.warn("Node {} did not adopt session {}: {}", target, s.clientId(), ar.cause().toString());
        }
        moved.complete();
      });
    });
    return moved.future();
  }

  /**
   * Completes, with why, if the cluster layer stopped under this node without {@link #stop()} (Hazelcast shuts its
   * instance down on an OutOfMemoryError, for one): the node has then disconnected its clients and closed its
   * listeners, so that they reconnect to nodes that still are in the cluster, and the process should end.
   */
  public Future<String> lost() {
    return lost.future();
  }

  /**
   * Hazelcast is stopping under a node that is not stopping: without it this node can neither store what its
   * clients publish nor reach the others, yet it would keep acknowledging. It takes itself out instead.
   */
  private void fence() {
    fenced = true;
    draining = true;
    log.error("Hazelcast stopped under this node, which is not stopping: disconnecting its clients and closing its "
        + "listeners, so that they reconnect to the other nodes");
    vertx.runOnContext(v -> {
      vertx.cancelTimer(reconcileTimer);
      rebalancer.stop();
      sysTopics.stop();
      stalledHandshakes.stop();
      broker.stop().onComplete(ar -> lost.tryComplete("Hazelcast stopped under this node"));
    });
  }

  private void tellOthersMerged() {
    for (String member : manager.getNodes()) {
      if (!member.equals(manager.getNodeId())) {
        NodeBus.send(vertx, member, new NodeMessage.Merged(manager.getNodeId()));
      }
    }
  }

  /** Handles members that leave or die: their routes go at once; the oldest survivor cleans the tables. */
  private static final class Departures implements MembershipListener {
    private final HazelcastInstance hz;
    private final RouteTable routes;
    private final ClientRegistry clients;
    private final WillRegistry wills;
    private final HazelcastSessionStore store;
    private final Broker broker;
    private final Forwarder forwarder;
    private final HazelcastClusterManager manager;
    private final Recoveries recoveries;
    private final ClusterSysTopics sysTopics;

    Departures(HazelcastInstance hz, RouteTable routes, ClientRegistry clients, WillRegistry wills,
               HazelcastSessionStore store, Broker broker, Forwarder forwarder, HazelcastClusterManager manager,
               Recoveries recoveries, ClusterSysTopics sysTopics) {
      this.recoveries = recoveries;
      this.sysTopics = sysTopics;
      this.forwarder = forwarder;
      this.manager = manager;
      this.hz = hz;
      this.routes = routes;
      this.clients = clients;
      this.wills = wills;
      this.store = store;
      this.broker = broker;
    }

    /**
     * Adopts a departed node's sessions, then tells every node (itself included) which routes now stand for
     * them, so that messages held meanwhile go on to the sessions.
     */
    private void recover(String departed, List<SessionSnapshot> sessions) {
      List<Future<Void>> adopted = new ArrayList<>();
      List<String> routeKeys = new ArrayList<>();
      List<String> clientIds = new ArrayList<>();
      for (SessionSnapshot s : sessions) {
        adopted.add(adopt(s));
        clientIds.add(s.clientId());
        for (SessionSnapshot.SubscriptionSpec spec : s.subscriptions()) {
          routeKeys.add(spec.shareGroup() == null ? spec.filter() : "$share/" + spec.shareGroup() + "/" + spec.filter());
        }
      }
      Future.join(adopted).onComplete(done -> {
        // The adopted sessions' messages are on this node's journal now: the departed node's goes.
        store.forget(departed).onComplete(ar -> log.info("Session journal of departed node {}: {}", departed,
            ar.succeeded() ? ar.result() + " entries deleted" : "not deleted (" + ar.cause() + ")"));
        NodeMessage.Recovered note = new NodeMessage.Recovered(departed, manager.getNodeId(), routeKeys, clientIds);
        for (String member : manager.getNodes()) {
          NodeBus.send(broker.vertx(), member, note);
        }
      });
    }

    private Future<Void> adopt(SessionSnapshot snapshot) {
      // Messages held while the session was being recovered may come again: remembered ids are dropped.
      return SessionAdoption.adopt(broker.node(), clients, io.vertx.core.Vertx.currentContext(), snapshot, 2 * ORPHAN_MILLIS)
          .map(adopted -> {
            if (adopted) {
              log.info("Session {} of a departed node recovered here: {} subscriptions, {} QoS 2 messages in flight, "
                  + "{} other unacknowledged messages", snapshot.clientId(), snapshot.subscriptions().size(),
                  snapshot.inflight().size(), snapshot.queued().size());
            }
            return null;
          });
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      log.info("Member joined: {}", event.getMember());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String node = event.getMember().getAttribute(VERTX_NODE_ID);
      log.info("Member left: {} (node {})", event.getMember(), node);
      if (node == null) {
        return;
      }
      recoveries.departed(node);
      routes.dropNode(node, ORPHAN_MILLIS);
      Member oldest = hz.getCluster().getMembers().iterator().next();
      if (oldest.localMember()) {
        routes.purgeNode(node);
        clients.purgeNode(node).onComplete(purged -> {
          log.info("Released {} client ids held by node {}", purged.succeeded() ? purged.result().size() : "no", node);
          // Its persistent sessions live on here: rebuilt from the session store, so their queues keep filling.
          // After the purge, so that the adoptions' claims are not purged with the departed node's.
          broker.vertx().runOnContext(v -> store.recover(node).onSuccess(sessions -> recover(node, sessions)));
        });
        // Publishing needs a Vert.x context for the routing's completion; the inbox context is as good as any.
        broker.vertx().runOnContext(v -> wills.publishWillsOf(node, broker.node().router()));
        broker.vertx().runOnContext(v -> sysTopics.departed(event.getMember(), node));
      }
    }
  }
}
