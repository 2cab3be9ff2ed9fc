package io.meshmq.broker;

import static io.meshmq.broker.config.BrokerSettings.LISTENER_INSTANCES;
import static io.meshmq.broker.config.BrokerSettings.NODE_ID;
import static io.meshmq.broker.config.BrokerSettings.SYS_INTERVAL_SECONDS;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.listener.ListenerSpec;
import io.meshmq.broker.listener.MqttListener;
import io.meshmq.broker.retained.InMemoryRetainedStore;
import io.meshmq.broker.retained.RetainedStore;
import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.sys.SysTopicsPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node: its MQTT listeners and the node-level services they share. Started on an existing Vert.x
 * instance so that the launcher (or a test, or the cluster module) decides how Vert.x is created.
 */
public final class Broker {

  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  private final Vertx vertx;
  private final Settings settings;
  private final BrokerNode node;
  private final SysTopicsPublisher sys;
  private final List<MqttListener> listeners = new ArrayList<>();
  private final Runnable stopWatchingRules;

  private Broker(Vertx vertx, Settings settings, BrokerNode node) {
    this.vertx = vertx;
    this.settings = settings;
    this.node = node;
    this.sys = new SysTopicsPublisher(node, version());
    // Granted subscriptions follow the rules: a reloaded ACL re-checks them on this node.
    this.stopWatchingRules = node.authorizer().onRulesChanged(() -> node.revocation().recheckAll(node.sessions().all()));
  }

  /** Starts a single-node broker with in-memory stores and no authentication. */
  public static Future<Broker> start(Vertx vertx, Settings settings) {
    return start(vertx, settings, Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL);
  }

  public static Future<Broker> start(Vertx vertx, Settings settings, Authenticator authenticator, Authorizer authorizer) {
    return start(vertx, settings, new InMemoryRetainedStore(), ClusterLink.STANDALONE, authenticator, authorizer);
  }

  /** Starts a broker node over the given stores (the cluster module passes its replicated ones). */
  public static Future<Broker> start(Vertx vertx, Settings settings, RetainedStore retained,
                                     ClusterLink cluster, Authenticator authenticator,
                                     Authorizer authorizer) {
    String nodeId = settings.get(NODE_ID).isEmpty() ? "node-" + UUID.randomUUID().toString().substring(0, 8) : settings.get(NODE_ID);
    BrokerNode node = new BrokerNode(vertx, settings, nodeId, retained, cluster, authenticator, authorizer);
    Broker broker = new Broker(vertx, settings, node);
    return broker.startListeners().map(v -> {
      broker.sys.start(settings.get(SYS_INTERVAL_SECONDS));
      log.info("MeshMQ {} node {} listening on {}", version(), nodeId,
          broker.listeners.stream().map(l -> l.spec().describe()).collect(Collectors.joining(", ")));
      return broker;
    }).onFailure(e -> broker.stopWatchingRules.run());
  }

  private Future<Void> startListeners() {
    List<ListenerSpec> specs;
    try {
      specs = ListenerSpec.enabled(settings);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    int instances = settings.get(LISTENER_INSTANCES);
    if (instances == 0) {
      for (Object loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
        instances++;
      }
    }
    // Vert.x shares one port between the instances only when they ask for the same port number, so "any free
    // port" (0) is resolved to a number first.
    List<ListenerSpec> anyPort = specs.stream().filter(spec -> spec.port() == 0).toList();
    List<Integer> freePorts = FreePort.findAll(anyPort.stream().map(ListenerSpec::host).toList());
    List<Future<MqttListener>> started = new ArrayList<>();
    for (ListenerSpec spec : specs) {
      ListenerSpec bound = spec.port() == 0 ? spec.withPort(freePorts.get(anyPort.indexOf(spec))) : spec;
      started.add(MqttListener.start(vertx, node, bound, instances).onSuccess(l -> {
        synchronized (listeners) {
          listeners.add(l);
        }
      }));
    }
    // One listener that cannot start stops the broker: the others are closed again, once they are all settled
    // (closing Vert.x under a deployment still in progress makes it complete that deployment twice).
    return Future.join(started).<Void>mapEmpty().recover(e -> stopListeners().transform(v -> Future.failedFuture(e)));
  }

  /** The port the plain MQTT listener is bound to (useful when configured as 0); 0 when it is disabled. */
  public int mqttPort() {
    return port("tcp");
  }

  /** The port of the listener named tcp, tls, ws or wss (the real one when configured as 0); 0 when it is not running. */
  public int port(String listener) {
    return listeners().stream().filter(l -> l.name().equals(listener)).mapToInt(ListenerSpec::port).findFirst().orElse(0);
  }

  /** The running listeners, with their real ports. */
  public List<ListenerSpec> listeners() {
    synchronized (listeners) {
      return listeners.stream().map(MqttListener::spec).toList();
    }
  }

  /** Stops accepting and closes every connection (wills are published as for a connection loss). */
  public Future<Void> stop() {
    sys.stop();
    stopWatchingRules.run();
    return stopListeners();
  }

  private Future<Void> stopListeners() {
    List<Future<Void>> stopped = new ArrayList<>();
    synchronized (listeners) {
      for (MqttListener l : listeners) {
        stopped.add(l.stop());
      }
      listeners.clear();
    }
    return Future.join(stopped).mapEmpty();
  }

  public BrokerNode node() {
    return node;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Settings settings() {
    return settings;
  }

  /** The project version recorded by Maven in the jar, or "dev" when running from classes. */
  public static String version() {
    try (java.io.InputStream in = Broker.class.getResourceAsStream("/META-INF/maven/io.meshmq/meshmq-broker/pom.properties")) {
      if (in == null) {
        return "dev";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (java.io.IOException e) {
      return "dev";
    }
  }
}
