package io.meshmq.broker.connection;

import static io.meshmq.broker.config.BrokerSettings.ALLOW_ZERO_LENGTH_CLIENT_ID;
import static io.meshmq.broker.config.BrokerSettings.AUTH_TIMEOUT_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_CLIENT_ID_LENGTH;
import static io.meshmq.broker.config.BrokerSettings.MAX_INFLIGHT;
import static io.meshmq.broker.config.BrokerSettings.MAX_KEEP_ALIVE_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_MESSAGE_EXPIRY_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_PACKET_SIZE;
import static io.meshmq.broker.config.BrokerSettings.MAX_QUEUED_MESSAGES;
import static io.meshmq.broker.config.BrokerSettings.MAX_SESSION_EXPIRY_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.RECEIVE_MAXIMUM;
import static io.meshmq.broker.config.BrokerSettings.RETAIN_AVAILABLE;
import static io.meshmq.broker.config.BrokerSettings.SHARED_SUBSCRIPTIONS;
import static io.meshmq.broker.config.BrokerSettings.TOPIC_ALIAS_MAXIMUM;
import static io.meshmq.broker.config.BrokerSettings.MAX_OUTBOUND_TOPIC_ALIASES;
import static io.meshmq.broker.config.BrokerSettings.WILDCARD_SUBSCRIPTIONS;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL;

import io.meshmq.broker.auth.Authenticator.AuthResult;
import io.meshmq.broker.auth.Authenticator.ConnectRequest;
import io.meshmq.broker.auth.CertificateNames;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.auth.ClientTransport;
import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.FailedLoginLimiter;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.SessionRegistry;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.sys.AuthFailure;
import io.meshmq.broker.sys.Limit;
import io.meshmq.broker.will.WillMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttWill;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT to CONNACK: client id rules per protocol version, will validation, authentication (fail closed),
 * the session claim (takeover of an existing connection, clean start or resume), then CONNACK and the
 * session's re-sends. The socket stays paused until CONNACK is out.
 */
final class ConnectFlow {

  private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);
  private static final int MQTT_5 = 5;
  private static final int MQTT_3_1 = 3;

  private final ClientConnection c;
  private final Settings settings;
  private final int version;
  private boolean assignedId;
  private long sessionExpirySeconds;
  private boolean expiryCapped;
  private int serverKeepAlive = -1;

  ConnectFlow(ClientConnection connection) {
    this.c = connection;
    this.settings = connection.node.settings();
    this.version = connection.protocolVersion;
  }

  void start() {
    c.node.stats().connectionsTotal.increment();
    // Before anything costly (the password check above all), so that a connect storm is turned away cheaply.
    if (!admit()) {
      return;
    }
    String id = c.endpoint.clientIdentifier();
    if (id == null || id.isEmpty()) {
      if (version == MQTT_3_1 || !settings.get(ALLOW_ZERO_LENGTH_CLIENT_ID)) {
        refuse(idRejected(), "empty client id");
        return;
      }
      id = "auto-" + UUID.randomUUID();
      assignedId = true;
    } else if (id.length() > settings.get(MAX_CLIENT_ID_LENGTH)) {
      refuse(idRejected(), "client id longer than " + settings.get(MAX_CLIENT_ID_LENGTH));
      return;
    }
    c.clientId = id;
    MqttProperties props = c.endpoint.connectProperties();
    if (version >= MQTT_5 && Mqtt5.has(props, AUTHENTICATION_METHOD)) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD, "enhanced authentication is not supported");
      return;
    }
    if (!readWill()) {
      return;
    }
    readLimits(props);
    authenticate().onComplete(ar -> {
      if (c.isClosed()) {
        return;
      }
      AuthResult r = ar.succeeded() ? ar.result() : AuthResult.notAuthorized("authenticator failed: " + ar.cause());
      if (!r.allowed()) {
        c.node.stats().authFailed(ar.failed() ? AuthFailure.ERROR : failureOf(r));
        refuse(r.badCredentials() ? badCredentials() : notAuthorized(), r.reason());
        return;
      }
      // Cluster-wide first: another node holding this client id takes its connection down.
      c.node.cluster().claimClient(c.clientId, c.endpoint.isCleanSession()).onComplete(claimed -> {
        if (c.isClosed()) {
          return;
        }
        if (claimed.failed()) {
          // Connecting with a fresh session would answer "session present = 0" for a session that lives on.
          refuse(version < MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE
              : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
              "the cluster could not give it its session: " + claimed.cause().getMessage(), "cluster-claim");
          return;
        }
        claimSession(claimed.result());
      });
    });
  }

  /** The node's connection limits; a refused client gets CONNACK 0x97 / 0x9F (MQTT 5) or 0x03 (3.1.1). */
  private boolean admit() {
    ConnectionAdmission.Verdict verdict = c.node.admission().admit();
    if (verdict == ConnectionAdmission.Verdict.ADMITTED) {
      c.admitted();
      return true;
    }
    boolean tooMany = verdict == ConnectionAdmission.Verdict.TOO_MANY_CONNECTIONS;
    Limit limit = tooMany ? Limit.MAX_CONNECTIONS : Limit.CONNECT_RATE;
    c.node.stats().limitReached(limit);
    MqttConnectReturnCode code = version < MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE
        : tooMany ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
        : MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED;
    // A storm comes from many addresses: one line per limit and interval, not per source.
    refuse(code, tooMany ? "node has mqtt.max-connections=" + c.node.admission().maxConnections() + " clients"
        : "over mqtt.max-connect-rate", limit.label());
    return false;
  }

  private static AuthFailure failureOf(AuthResult r) {
    return switch (r.refusal()) {
      case BAD_CREDENTIALS -> AuthFailure.BAD_CREDENTIALS;
      case BLOCKED -> AuthFailure.BLOCKED;
      case ANONYMOUS -> AuthFailure.ANONYMOUS;
      case NONE, NOT_AUTHORIZED -> r.badCredentials() ? AuthFailure.BAD_CREDENTIALS : AuthFailure.NOT_AUTHORIZED;
    };
  }

  private Future<AuthResult> authenticate() {
    ConnectionOrigin origin = ConnectionOrigin.take(c.socket);
    MqttAuth auth = c.endpoint.auth();
    String username = auth == null ? null : auth.getUsername();
    byte[] password = auth == null || auth.getPassword() == null ? null : auth.getPassword().getBytes(StandardCharsets.UTF_8);
    X509Certificate certificate = origin.certAsUsername() == CertificateUsername.NONE ? null : ClientCertificates.of(c.endpoint);
    if (certificate != null) {
      // The certificate speaks for the client, whatever name its CONNECT claims.
      username = CertificateNames.of(certificate, origin.certAsUsername());
      password = null;
      if (username == null) {
        return Future.succeededFuture(AuthResult.notAuthorized("client certificate " + certificate.getSubjectX500Principal()
            + " has no " + Setting.externalName(origin.certAsUsername()) + " to use as username"));
      }
    }
    if (certificate != null) {
      // Built now, while the certificate is at hand; without one it is built on first use (ClientConnection.identity).
      c.identity = new ClientIdentity(c.clientId, username, c.remoteAddress(), version, true);
    }
    ClientTransport transport = new ClientTransport(origin.listener(), origin.loopbackListener(), certificate != null);
    Future<AuthResult> f;
    try {
      f = c.node.authenticator().authenticate(new ConnectRequest(c.clientId, username, password, c.remoteAddress(),
          version, transport));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    // Fail closed: a provider that never answers refuses the client.
    return f.timeout(settings.get(AUTH_TIMEOUT_SECONDS), TimeUnit.SECONDS).compose(this::checkWillTopic);
  }

  /** A will is a publish too: a client may not connect with a will to a topic it may not publish to. */
  private Future<AuthResult> checkWillTopic(AuthResult r) {
    if (!r.allowed() || c.will == null) {
      return Future.succeededFuture(r);
    }
    String topic = c.will.topic();
    return c.node.authorizer().canPublish(c.identity(), topic).otherwise(false)
        .map(ok -> Boolean.TRUE.equals(ok) ? r : AuthResult.notAuthorized("will topic '" + topic + "' not authorized"));
  }

  private boolean readWill() {
    MqttWill w = c.endpoint.will();
    if (w == null || !w.isWillFlag()) {
      return true;
    }
    String problem = c.node.topicRules().checkName(w.getWillTopic());
    if (problem != null) {
      c.countTopicLimit(problem);
      refuse(version >= MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID
          : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "invalid will topic: " + problem);
      return false;
    }
    if (w.isWillRetain() && !settings.get(RETAIN_AVAILABLE)) {
      refuse(version >= MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_RETAIN_NOT_SUPPORTED
          : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "retained will but retain is not available");
      return false;
    }
    MqttProperties wp = w.getWillProperties();
    long delay = version >= MQTT_5 ? Mqtt5.unsignedIntProperty(wp, WILL_DELAY_INTERVAL, 0) : 0;
    long expiry = version >= MQTT_5 ? Mqtt5.unsignedIntProperty(wp, PUBLICATION_EXPIRY_INTERVAL, -1) : -1;
    long maxExpiry = settings.get(MAX_MESSAGE_EXPIRY_SECONDS);
    if (maxExpiry > 0 && (expiry < 0 || expiry > maxExpiry)) {
      expiry = maxExpiry;
    }
    byte[] payload = w.getWillMessageBytes() == null ? new byte[0] : w.getWillMessageBytes();
    c.will = new WillMessage(w.getWillTopic(), payload, w.getWillQos(), w.isWillRetain(),
        version >= MQTT_5 ? Mqtt5.publishProperties(wp) : null, c.clientId, delay, expiry,
        java.util.concurrent.ThreadLocalRandom.current().nextLong());
    return true;
  }

  private void readLimits(MqttProperties props) {
    long maxExpiry = settings.get(MAX_SESSION_EXPIRY_SECONDS);
    if (version >= MQTT_5) {
      long asked = Mqtt5.unsignedIntProperty(props, SESSION_EXPIRY_INTERVAL, 0);
      sessionExpirySeconds = Math.min(asked, maxExpiry);
      expiryCapped = asked > maxExpiry;
      c.clientMaxPacketSize = (int) Math.min(Integer.MAX_VALUE,
          Mqtt5.unsignedIntProperty(props, MAXIMUM_PACKET_SIZE, Integer.MAX_VALUE));
      int clientAliasMax = Mqtt5.intProperty(props, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 0);
      c.aliases().configure(settings.get(TOPIC_ALIAS_MAXIMUM), Math.min(clientAliasMax, settings.get(MAX_OUTBOUND_TOPIC_ALIASES)));
    } else {
      // MQTT 3.1.1 has no expiry: a persistent session lives until the broker's maximum.
      sessionExpirySeconds = c.endpoint.isCleanSession() ? 0 : maxExpiry;
    }
    int keepAlive = c.endpoint.keepAliveTimeSeconds();
    int maxKeepAlive = settings.get(MAX_KEEP_ALIVE_SECONDS);
    if (version >= MQTT_5 && maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
      serverKeepAlive = maxKeepAlive;
      keepAlive = maxKeepAlive;
    }
    c.keepAliveSeconds = keepAlive;
  }

  private int inflightWindow() {
    int clientReceiveMax = version >= MQTT_5
        ? Mqtt5.intProperty(c.endpoint.connectProperties(), MqttPropertyType.RECEIVE_MAXIMUM, 65_535) : 65_535;
    return Math.max(1, Math.min(settings.get(MAX_INFLIGHT), clientReceiveMax));
  }

  /** @param handedOver the session state another node handed over, or null */
  private void claimSession(SessionSnapshot handedOver) {
    boolean cleanStart = c.endpoint.isCleanSession();
    SessionRegistry.Claim claim = c.node.sessions().claim(c.clientId, cleanStart,
        () -> new Session(c.clientId, c.node, c.context, settings.get(MAX_INFLIGHT), settings.get(MAX_QUEUED_MESSAGES)));
    if (claim.replaced() != null) {
      Session old = claim.replaced();
      old.execute(old::discard);
    }
    Session s = claim.session();
    if (claim.resumed()) {
      s.execute(() -> {
        if (s.latestClaim() != claim.number()) {
          turnAway();
          return;
        }
        s.moveTo(c.context, () -> attach(s, claim.number(), true));
      });
    } else if (handedOver != null && !cleanStart) {
      s.execute(() -> {
        // The old node passes on what it still gets once the messages that came along are stored here.
        s.restore(handedOver, c.node.cluster().moveDedupeMillis()).onComplete(stored -> c.node.cluster().sessionRestored(c.clientId));
        attach(s, claim.number(), true);
      });
    } else {
      s.execute(() -> attach(s, claim.number(), false));
    }
  }

  /** On the session's (new) owner context, which is this connection's. */
  private void attach(Session s, long claimNumber, boolean sessionPresent) {
    if (s.latestClaim() != claimNumber || s.hasEnded()) {
      turnAway();
      return;
    }
    // Another node may have claimed the client id after this one did, and asked this node to let go before
    // the session existed here: the registry has the last word.
    c.node.cluster().stillHolds(c.clientId).onComplete(held -> s.execute(() -> {
      if (held.failed() || !held.result() || s.latestClaim() != claimNumber || s.hasEnded()) {
        if (!s.hasEnded() && s.latestClaim() == claimNumber) {
          s.end();
        }
        turnAway();
        return;
      }
      accept(s, sessionPresent);
    }));
  }

  private void accept(Session s, boolean sessionPresent) {
    if (c.isClosed()) {
      // The client went away while we were connecting it: the session carries on as after a connection loss.
      s.attach(c, inflightWindow(), sessionExpirySeconds);
      s.detach(c, c.will);
      return;
    }
    try {
      c.endpoint.accept(sessionPresent, connackProperties());
    } catch (IllegalStateException | IllegalArgumentException e) {
      log.debug("Client {} closed before CONNACK", c.clientId);
      return;
    }
    c.accepted(s);
    if (c.will != null) {
      // Recorded in the cluster, so that a survivor publishes it if this node dies.
      c.node.cluster().willArmed(c.will);
    }
    s.attach(c, inflightWindow(), sessionExpirySeconds);
    if (sessionPresent) {
      c.node.revocation().recheck(s);
    }
    log.debug("Client {} connected (MQTT {}, clean={}, session present={}, keep-alive={} s)", c.clientId,
        versionName(), c.endpoint.isCleanSession(), sessionPresent, c.keepAliveSeconds);
    c.resumeReading();
  }

  private void turnAway() {
    c.context.runOnContext(v -> {
      log.info("Client {} ({}): a newer connection claimed the same client id first", c.clientId, c.remoteAddress());
      c.close();
    });
  }

  private MqttProperties connackProperties() {
    if (version < MQTT_5) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties p = new MqttProperties();
    if (assignedId) {
      Mqtt5.addString(p, ASSIGNED_CLIENT_IDENTIFIER, c.clientId);
    }
    if (expiryCapped) {
      Mqtt5.addInt(p, SESSION_EXPIRY_INTERVAL, (int) sessionExpirySeconds);
    }
    if (serverKeepAlive >= 0) {
      Mqtt5.addInt(p, SERVER_KEEP_ALIVE, serverKeepAlive);
    }
    Mqtt5.addInt(p, MqttPropertyType.RECEIVE_MAXIMUM, settings.get(RECEIVE_MAXIMUM));
    Mqtt5.addInt(p, MAXIMUM_PACKET_SIZE, settings.get(MAX_PACKET_SIZE));
    Mqtt5.addInt(p, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, settings.get(TOPIC_ALIAS_MAXIMUM));
    if (!settings.get(RETAIN_AVAILABLE)) {
      Mqtt5.addInt(p, MqttPropertyType.RETAIN_AVAILABLE, 0);
    }
    if (!settings.get(WILDCARD_SUBSCRIPTIONS)) {
      Mqtt5.addInt(p, MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 0);
    }
    if (!settings.get(SHARED_SUBSCRIPTIONS)) {
      Mqtt5.addInt(p, MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 0);
    }
    return p;
  }

  /** MQTT 5 DISCONNECT may change the expiry, but not from 0 to non-zero (a protocol error we ignore). */
  static void applyExpiryOnDisconnect(ClientConnection c, long requested) {
    long max = c.node.settings().get(MAX_SESSION_EXPIRY_SECONDS);
    Session s = c.session;
    s.execute(() -> s.setExpiryIntervalUnlessZero(Math.min(requested, max)));
  }

  private void refuse(MqttConnectReturnCode code, String why) {
    refuse(code, why, FailedLoginLimiter.hostOf(c.remoteAddress()));
  }

  /** @param logKey refusals with the same key share one log line per interval (see {@link RefusalLog}) */
  private void refuse(MqttConnectReturnCode code, String why, String logKey) {
    c.node.refusalLog().info(logKey, "Client {} ({}) refused: {} ({})", c.endpoint.clientIdentifier(), c.remoteAddress(),
        why, code);
    c.refuse(code);
  }

  private MqttConnectReturnCode idRejected() {
    return version >= MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
        : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
  }

  private MqttConnectReturnCode badCredentials() {
    return version >= MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
        : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
  }

  private MqttConnectReturnCode notAuthorized() {
    return version >= MQTT_5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
  }

  private String versionName() {
    return switch (version) {
      case 3 -> "3.1";
      case 4 -> "3.1.1";
      default -> "5.0";
    };
  }
}
