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
import io.vertx.core.Future;
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
  private static final long RECONCILE_MILLIS = 30_000;

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final Broker broker;
  private final RouteTable routes;
  private final HazelcastRetainedStore retained;
  private final Forwarder forwarder;
  private final long reconcileTimer;
  private final UUID membershipRegistration;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager, Broker broker, RouteTable routes,
                      HazelcastRetainedStore retained, Forwarder forwarder, ClientRegistry clients) {
    this.vertx = vertx;
    this.manager = manager;
    this.broker = broker;
    this.routes = routes;
    this.retained = retained;
    this.forwarder = forwarder;
    this.membershipRegistration = manager.getHazelcastInstance().getCluster()
        .addMembershipListener(new Departures(manager.getHazelcastInstance(), routes, clients));
    this.reconcileTimer = vertx.setPeriodic(RECONCILE_MILLIS, id -> routes.reconcile());
  }

  /** Joins the cluster and starts the broker on it. */
  public static Future<ClusterNode> start(Settings settings, Authenticator authenticator, Authorizer authorizer) {
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastConfigs.build(settings));
    return Vertx.builder().with(vertxOptions(settings)).withClusterManager(manager).buildClustered()
        .compose(vertx -> assemble(vertx, manager, settings, authenticator, authorizer)
            .recover(e -> vertx.close().transform(ignored -> Future.failedFuture(e))));
  }

  private static Future<ClusterNode> assemble(Vertx vertx, HazelcastClusterManager manager, Settings settings,
                                              Authenticator authenticator, Authorizer authorizer) {
    vertx.eventBus().registerCodec(new MessageCodec());
    HazelcastInstance hz = manager.getHazelcastInstance();
    String self = manager.getNodeId();
    long timeout = TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.FORWARD_TIMEOUT_SECONDS));
    RouteTable routes = new RouteTable(vertx, hz.getMap(HazelcastConfigs.ROUTES), self);
    HazelcastRetainedStore retained = new HazelcastRetainedStore(vertx, hz.getMap(HazelcastConfigs.RETAINED));
    ClientRegistry clients = new ClientRegistry(vertx, hz.getMap(HazelcastConfigs.CLIENTS), self);
    Forwarder forwarder = new Forwarder(vertx, routes, timeout);
    HazelcastClusterLink link = new HazelcastClusterLink(vertx, self, routes, forwarder, clients,
        node -> manager.getNodes().contains(node), timeout);
    Settings named = settings.get(BrokerSettings.NODE_ID).isEmpty() ? settings.with(BrokerSettings.NODE_ID, self) : settings;
    return routes.start()
        .compose(v -> retained.start())
        .compose(v -> Broker.start(vertx, named, retained, link, authenticator, authorizer))
        .compose(broker -> vertx.deployVerticle(new NodeInbox(broker.node(), Forwarder.address(self),
                TimeUnit.SECONDS.toMillis(settings.get(ClusterSettings.HANDOVER_GRACE_SECONDS))))
            .map(id -> {
              log.info("Node {} joined cluster '{}' with {} members; {} remote routes loaded", self,
                  settings.get(ClusterSettings.NAME), hz.getCluster().getMembers().size(), routes.remoteRouteCount());
              return new ClusterNode(vertx, manager, broker, routes, retained, forwarder, clients);
            }));
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

  RouteTable routes() {
    return routes;
  }

  /** Messages forwarded to other nodes, and those that failed. */
  public long forwardedCount() {
    return forwarder.forwarded.sum();
  }

  public long forwardFailures() {
    return forwarder.failed.sum();
  }

  /** Stops the broker, then leaves the cluster. */
  public Future<Void> stop() {
    vertx.cancelTimer(reconcileTimer);
    try {
      manager.getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
    } catch (RuntimeException e) {
      log.debug("membership listener already gone", e);
    }
    return broker.stop().eventually(() -> {
      routes.stop();
      retained.stop();
      return vertx.close();
    });
  }

  /** Handles members that leave or die: their routes go at once; the oldest survivor cleans the tables. */
  private static final class Departures implements MembershipListener {
    private final HazelcastInstance hz;
    private final RouteTable routes;
    private final ClientRegistry clients;

    Departures(HazelcastInstance hz, RouteTable routes, ClientRegistry clients) {
      this.hz = hz;
      this.routes = routes;
      this.clients = clients;
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
      routes.dropNode(node);
      Member oldest = hz.getCluster().getMembers().iterator().next();
      if (oldest.localMember()) {
        routes.purgeNode(node);
        clients.purgeNode(node).onSuccess(ids -> log.info("Released {} client ids held by node {}", ids.size(), node));
      }
    }
  }
}
