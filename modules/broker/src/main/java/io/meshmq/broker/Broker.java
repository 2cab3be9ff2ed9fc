package io.meshmq.broker;

import static io.meshmq.broker.config.BrokerSettings.LISTENER_INSTANCES;
import static io.meshmq.broker.config.BrokerSettings.NODE_ID;
import static io.meshmq.broker.config.BrokerSettings.SYS_INTERVAL_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.TCP_HOST;
import static io.meshmq.broker.config.BrokerSettings.TCP_PORT;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.listener.ListenerOptions;
import io.meshmq.broker.listener.MqttListenerVerticle;
import io.meshmq.broker.retained.InMemoryRetainedStore;
import io.meshmq.broker.retained.RetainedStore;
import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.sys.SysTopicsPublisher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
  private final List<String> deployments = new ArrayList<>();
  private final Runnable stopWatchingRules;
  private int mqttPort;

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
    return broker.deployListeners().map(v -> {
      broker.sys.start(settings.get(SYS_INTERVAL_SECONDS));
      log.info("MeshMQ {} node {} listening on mqtt://{}:{}", version(), nodeId, settings.get(TCP_HOST), broker.mqttPort);
      return broker;
    });
  }

  private Future<Void> deployListeners() {
    int instances = settings.get(LISTENER_INSTANCES);
    if (instances == 0) {
      for (Object loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
        instances++;
      }
    }
    String host = settings.get(TCP_HOST);
    // Vert.x shares one port between the instances only when they ask for the same port number, so "any
    // free port" (0) is resolved to a number first.
    int port = settings.get(TCP_PORT) == 0 ? FreePort.find(host) : settings.get(TCP_PORT);
    List<MqttListenerVerticle> listeners = new ArrayList<>();
    return vertx.deployVerticle(() -> {
      MqttListenerVerticle l = new MqttListenerVerticle(node, ListenerOptions.tcp(settings, host, port));
      synchronized (listeners) {
        listeners.add(l);
      }
      return l;
    }, new DeploymentOptions().setInstances(instances).setThreadingModel(ThreadingModel.EVENT_LOOP)).map(id -> {
      deployments.add(id);
      mqttPort = listeners.get(0).actualPort();
      return null;
    });
  }

  /** The port the plain MQTT listener is bound to (useful when configured as 0). */
  public int mqttPort() {
    return mqttPort;
  }

  /** Stops accepting and closes every connection (wills are published as for a connection loss). */
  public Future<Void> stop() {
    sys.stop();
    stopWatchingRules.run();
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : deployments) {
      undeployed.add(vertx.undeploy(id));
    }
    deployments.clear();
    return Future.join(undeployed).mapEmpty();
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
