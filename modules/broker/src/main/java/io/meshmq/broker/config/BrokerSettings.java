package io.meshmq.broker.config;

import static io.meshmq.broker.config.Setting.booleanSetting;
import static io.meshmq.broker.config.Setting.byteSizeSetting;
import static io.meshmq.broker.config.Setting.enumSetting;
import static io.meshmq.broker.config.Setting.intSetting;
import static io.meshmq.broker.config.Setting.longSetting;
import static io.meshmq.broker.config.Setting.stringSetting;

import java.util.List;

/** The settings of the broker itself (protocol, sessions, limits). One declaration per setting. */
public final class BrokerSettings {

  private BrokerSettings() {
  }

  public static final Setting<String> NODE_ID = stringSetting("node.id", "",
      "Name of this node in logs, $SYS and the cluster; empty = generated at start");

  public static final Setting<String> TCP_HOST = stringSetting("listeners.tcp.host", "127.0.0.1",
      "Interface of the plain MQTT listener; 0.0.0.0 for all interfaces");
  public static final Setting<Integer> TCP_PORT = intSetting("listeners.tcp.port", 1883, 0, 65535,
      "Port of the plain MQTT listener; 0 picks a free port");
  public static final Setting<Integer> LISTENER_INSTANCES = intSetting("listeners.instances", 0, 0, 1024,
      "MQTT server instances sharing each port (one per event loop spreads the sockets); 0 = one per event loop");
  public static final Setting<Integer> EVENT_LOOPS = intSetting("listeners.event-loops", 0, 0, 1024,
      "Vert.x event-loop threads; 0 = 2 x CPU cores");

  public static final Setting<ConnectionModel> CONNECTION_MODEL = enumSetting("listeners.connection-model",
      ConnectionModel.ACTOR, "actor: each connection is an actor on the event loop that accepted it (default); "
          + "verticle: additionally one deployed verticle with its own keep-alive timer per connection, kept only "
          + "to measure that model against the default (see load-tests/README.md)");

  public static final Setting<Integer> MAX_PACKET_SIZE = byteSizeSetting("mqtt.max-packet-size", 256 * 1024,
      64, 268_435_455, "Largest MQTT packet accepted from a client (MQTT 5 clients over it get DISCONNECT 0x95)");
  public static final Setting<Integer> MAX_CLIENT_ID_LENGTH = intSetting("mqtt.max-client-id-length", 256, 23, 65_535,
      "Longest client identifier accepted");
  public static final Setting<Integer> MAX_TOPIC_LENGTH = intSetting("mqtt.max-topic-length", 65_535, 1, 65_535,
      "Longest topic name or filter in UTF-8 bytes");
  public static final Setting<Integer> MAX_TOPIC_LEVELS = intSetting("mqtt.max-topic-levels", 128, 1, 65_535,
      "Most levels ('/'-separated parts) in a topic name or filter");
  public static final Setting<Integer> CONNECT_TIMEOUT_SECONDS = intSetting("mqtt.connect-timeout-seconds", 10, 1, 3600,
      "A connection that sends no CONNECT within this time is closed");
  public static final Setting<Integer> AUTH_TIMEOUT_SECONDS = intSetting("mqtt.auth-timeout-seconds", 10, 1, 600,
      "An authenticator that has not answered within this time refuses the client (fail closed)");
  public static final Setting<Integer> MAX_KEEP_ALIVE_SECONDS = intSetting("mqtt.max-keep-alive-seconds", 0, 0, 65_535,
      "Upper bound on the keep-alive a client may ask for (MQTT 5 clients get it as Server Keep Alive, also when "
          + "they ask for 0); 0 = accept what the client asks");
  public static final Setting<Integer> MAX_INFLIGHT = intSetting("mqtt.max-inflight", 32, 1, 65_535,
      "Outbound QoS 1/2 messages sent to one client and not yet acknowledged (lowered to an MQTT 5 client's Receive Maximum)");
  public static final Setting<Integer> RECEIVE_MAXIMUM = intSetting("mqtt.receive-maximum", 128, 1, 65_535,
      "Inbound QoS 1/2 messages one client may have unacknowledged (sent to MQTT 5 clients as Receive Maximum)");
  public static final Setting<Integer> MAX_PENDING_ROUTES = intSetting("mqtt.max-pending-routes", 64, 1, 65_535,
      "Published messages of one connection still being routed; above it the broker stops reading that socket");
  public static final Setting<Integer> MAX_QUEUED_MESSAGES = intSetting("mqtt.max-queued-messages", 1000, 1, 10_000_000,
      "Messages queued per session while its client is offline or its in-flight window is full");
  public static final Setting<Integer> MAX_QUEUED_BYTES = byteSizeSetting("mqtt.max-queued-bytes", 16 * 1024 * 1024, 0,
      Integer.MAX_VALUE, "Bytes (payload + topic) of the messages queued per session, with the same policy as "
          + "mqtt.max-queued-messages when reached; 0 = bounded by the message count only");
  public static final Setting<Integer> MAX_SUBSCRIPTIONS_PER_CLIENT = intSetting("mqtt.max-subscriptions-per-client", 1000,
      0, 10_000_000, "Subscriptions one session may hold; a SUBSCRIBE beyond it gets 0x97 quota exceeded (MQTT 5) / "
          + "0x80 (3.1.1) for the filters over it; 0 = unlimited");
  public static final Setting<Integer> MAX_CONNECTIONS = intSetting("mqtt.max-connections", 100_000, 0, 100_000_000,
      "Clients connected to this node at once; a CONNECT beyond it gets CONNACK 0x97 quota exceeded (MQTT 5) / "
          + "0x03 server unavailable (3.1.1); 0 = unlimited");
  public static final Setting<Integer> MAX_CONNECT_RATE = intSetting("mqtt.max-connect-rate", 1000, 0, 10_000_000,
      "CONNECT packets this node accepts per second (token bucket, bursts up to one second's worth); beyond it "
          + "CONNACK 0x9F connection rate exceeded (MQTT 5) / 0x03 server unavailable (3.1.1); 0 = unlimited");
  public static final Setting<Integer> MAX_PUBLISH_RATE = intSetting("mqtt.max-publish-rate", 0, 0, 10_000_000,
      "PUBLISH packets per second one client may send (bursts up to one second's worth); above it the broker stops "
          + "reading that client's socket until the rate allows more (nothing is dropped); 0 = unlimited");
  public static final Setting<Integer> MAX_PUBLISH_BYTES_RATE = byteSizeSetting("mqtt.max-publish-bytes-rate", 0, 0,
      Integer.MAX_VALUE, "PUBLISH bytes (payload + topic) per second one client may send, enforced like "
          + "mqtt.max-publish-rate; 0 = unlimited");
  public static final Setting<Integer> TOPIC_ALIAS_MAXIMUM = intSetting("mqtt.topic-alias-maximum", 16, 0, 65_535,
      "Topic aliases an MQTT 5 client may use towards the broker; 0 = none");
  public static final Setting<Integer> MAX_OUTBOUND_TOPIC_ALIASES = intSetting("mqtt.max-outbound-topic-aliases", 16, 0, 65_535,
      "Topic aliases the broker assigns per MQTT 5 client (bounded further by the client's Topic Alias Maximum)");
  public static final Setting<Long> MAX_SESSION_EXPIRY_SECONDS = longSetting("mqtt.max-session-expiry-seconds", 7L * 24 * 3600,
      0, 4_294_967_295L, "Longest a persistent session outlives its connection (MQTT 3.1.1 persistent sessions use this value)");
  public static final Setting<Long> MAX_MESSAGE_EXPIRY_SECONDS = longSetting("mqtt.max-message-expiry-seconds", 0,
      0, 4_294_967_295L, "Upper bound on an MQTT 5 Message Expiry Interval; 0 = no bound");
  public static final Setting<Boolean> RETAIN_AVAILABLE = booleanSetting("mqtt.retain-available", true,
      "Whether retained messages are supported");
  public static final Setting<Boolean> WILDCARD_SUBSCRIPTIONS = booleanSetting("mqtt.wildcard-subscriptions", true,
      "Whether subscriptions with + and # are accepted");
  public static final Setting<Boolean> SHARED_SUBSCRIPTIONS = booleanSetting("mqtt.shared-subscriptions", true,
      "Whether $share/{group}/{filter} subscriptions are accepted");
  public static final Setting<SharedStrategy> SHARED_STRATEGY = enumSetting("mqtt.shared-subscription-strategy",
      SharedStrategy.ROUND_ROBIN, "How a shared subscription group picks the member for a message "
          + "(prefer-local: a member on the publisher's node when there is one online)");
  public static final Setting<Boolean> ALLOW_ZERO_LENGTH_CLIENT_ID = booleanSetting("mqtt.allow-zero-length-client-id", true,
      "Whether a client may connect with an empty client id (the broker assigns one)");

  public static final Setting<Integer> SYS_INTERVAL_SECONDS = intSetting("sys.interval-seconds", 10, 0, 86_400,
      "How often $SYS/broker/... topics are published; 0 = never");

  public static final Setting<String> AUTH_PASSWORD_FILE = stringSetting("auth.password-file", "",
      "Password file (username:$pbkdf2-sha256$... lines, see PasswdTool); reloaded on change; empty = none");
  public static final Setting<AnonymousAccess> AUTH_ALLOW_ANONYMOUS = enumSetting("auth.allow-anonymous",
      AnonymousAccess.LOOPBACK_ONLY, "Whether clients without a username may connect: loopback-only (default) while "
          + "listeners.tcp.host is a loopback address, so never on a listener bound beyond loopback; true on any "
          + "interface; false nowhere");
  public static final Setting<String> AUTH_ACL_FILE = stringSetting("auth.acl-file", "",
      "ACL file (allow|deny user|client|all <name|*> publish|subscribe|both <pattern> lines, first match wins, "
          + "default deny); reloaded on change; empty = no ACL, every client may publish and subscribe everywhere");
  public static final Setting<Integer> AUTH_FAILED_LOGIN_LIMIT = intSetting("auth.failed-login-limit", 5, 0, 1_000_000,
      "Failed logins (bad username or password) per source address within auth.failed-login-window-seconds; "
          + "once reached, that address is refused at once without checking the password; 0 = no limit");
  public static final Setting<Integer> REFUSAL_LOG_SECONDS = intSetting("auth.refusal-log-seconds", 60, 0, 86_400,
      "A refused CONNECT is logged at most once per source address (connection limits: once per limit) within this "
          + "many seconds, the next line saying how many were not logged; every refusal is counted in the metrics; "
          + "0 = log each one");
  public static final Setting<Integer> AUTH_FAILED_LOGIN_WINDOW_SECONDS = intSetting("auth.failed-login-window-seconds",
      60, 1, 86_400, "The sliding window of auth.failed-login-limit");

  /** Whether anonymous clients get in; see {@link #AUTH_ALLOW_ANONYMOUS}. */
  public enum AnonymousAccess {
    /** Only while the MQTT listener is bound to a loopback address. */
    LOOPBACK_ONLY,
    TRUE,
    FALSE
  }

  /** How connections are hosted; see {@link #CONNECTION_MODEL}. */
  public enum ConnectionModel {
    ACTOR, VERTICLE
  }

  /** How a shared subscription group chooses a member. */
  public enum SharedStrategy {
    /** Members (and, in a cluster, the nodes that have members) take turns. */
    ROUND_ROBIN,
    RANDOM,
    /** The same member until it goes offline. */
    STICKY,
    /** In a cluster, a member on the publisher's node when it has one online; round robin otherwise. */
    PREFER_LOCAL
  }

  public static List<Setting<?>> all() {
    return List.of(NODE_ID, TCP_HOST, TCP_PORT, LISTENER_INSTANCES, EVENT_LOOPS, CONNECTION_MODEL, MAX_PACKET_SIZE, MAX_CLIENT_ID_LENGTH,
        MAX_TOPIC_LENGTH, MAX_TOPIC_LEVELS, CONNECT_TIMEOUT_SECONDS, AUTH_TIMEOUT_SECONDS, MAX_KEEP_ALIVE_SECONDS, MAX_INFLIGHT, RECEIVE_MAXIMUM,
        MAX_PENDING_ROUTES, MAX_QUEUED_MESSAGES, MAX_QUEUED_BYTES, MAX_SUBSCRIPTIONS_PER_CLIENT, MAX_CONNECTIONS,
        MAX_CONNECT_RATE, MAX_PUBLISH_RATE, MAX_PUBLISH_BYTES_RATE, TOPIC_ALIAS_MAXIMUM, MAX_OUTBOUND_TOPIC_ALIASES,
        MAX_SESSION_EXPIRY_SECONDS, MAX_MESSAGE_EXPIRY_SECONDS, RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTIONS,
        SHARED_SUBSCRIPTIONS, SHARED_STRATEGY, ALLOW_ZERO_LENGTH_CLIENT_ID, SYS_INTERVAL_SECONDS,
        AUTH_PASSWORD_FILE, AUTH_ALLOW_ANONYMOUS, AUTH_ACL_FILE, AUTH_FAILED_LOGIN_LIMIT, AUTH_FAILED_LOGIN_WINDOW_SECONDS,
        REFUSAL_LOG_SECONDS);
  }
}
