package io.meshmq.broker;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.connection.ConnectionAdmission;
import io.meshmq.broker.connection.RefusalLog;
import io.meshmq.broker.retained.RetainedStore;
import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.routing.Router;
import io.meshmq.broker.routing.SubscriptionTable;
import io.meshmq.broker.session.SessionRegistry;
import io.meshmq.broker.session.SubscriptionRevocation;
import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.core.topic.TopicRules;
import io.vertx.core.Vertx;
import org.slf4j.LoggerFactory;

/**
 * The services one broker node shares between all its connections: settings, subscription table, sessions,
 * retained store, router, authentication hooks and counters. Thread-safe; created once per {@link Broker}.
 */
public final class BrokerNode {

  private final Vertx vertx;
  private final Settings settings;
  private final String nodeId;
  private final TopicRules topicRules;
  private final SubscriptionTable subscriptions;
  private final SessionRegistry sessions = new SessionRegistry();
  private final RetainedStore retained;
  private final Router router;
  private final BrokerStats stats = new BrokerStats();
  private final OverflowLog overflowLog = new OverflowLog();
  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final long startedAtMillis = System.currentTimeMillis();
  private final ClusterLink cluster;
  private final ConnectionAdmission admission;
  private final RefusalLog refusalLog;
  private final SubscriptionRevocation revocation;

  public BrokerNode(Vertx vertx, Settings settings, String nodeId, RetainedStore retained,
                    ClusterLink cluster, Authenticator authenticator, Authorizer authorizer) {
    this.vertx = vertx;
    this.settings = settings;
    this.nodeId = nodeId;
    this.topicRules = new TopicRules(settings.get(BrokerSettings.MAX_TOPIC_LENGTH), settings.get(BrokerSettings.MAX_TOPIC_LEVELS));
    this.subscriptions = new SubscriptionTable(cluster);
    this.retained = retained;
    this.router = new Router(subscriptions, retained, settings.get(BrokerSettings.SHARED_STRATEGY),
        settings.get(BrokerSettings.RETAIN_AVAILABLE), cluster);
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.cluster = cluster;
    this.admission = new ConnectionAdmission(settings.get(BrokerSettings.MAX_CONNECTIONS),
        settings.get(BrokerSettings.MAX_CONNECT_RATE));
    this.refusalLog = new RefusalLog(LoggerFactory.getLogger("io.meshmq.broker.connection.ConnectFlow"),
        settings.get(BrokerSettings.REFUSAL_LOG_SECONDS) * 1000L, System::currentTimeMillis);
    this.revocation = new SubscriptionRevocation(authorizer, stats);
  }

  /** Removes granted subscriptions that the authorization rules no longer allow. */
  public SubscriptionRevocation revocation() {
    return revocation;
  }

  /** Where refused CONNECTs are logged, at most one line per source (or limit) per interval. */
  public RefusalLog refusalLog() {
    return refusalLog;
  }

  /** The node's connection count and connect-rate limits, shared by every listener. */
  public ConnectionAdmission admission() {
    return admission;
  }

  public ClusterLink cluster() {
    return cluster;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Settings settings() {
    return settings;
  }

  public String nodeId() {
    return nodeId;
  }

  public TopicRules topicRules() {
    return topicRules;
  }

  public SubscriptionTable subscriptions() {
    return subscriptions;
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public RetainedStore retained() {
    return retained;
  }

  public Router router() {
    return router;
  }

  public BrokerStats stats() {
    return stats;
  }

  public OverflowLog overflowLog() {
    return overflowLog;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }
}
