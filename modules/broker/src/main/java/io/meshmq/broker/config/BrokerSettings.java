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
  public static final Setting<Boolean> TCP_ENABLED = booleanSetting("listeners.tcp.enabled", true,
      "Whether the plain MQTT listener runs (false for a broker reachable over TLS or WebSocket only)");
  public static final Setting<Boolean> TCP_PROXY_PROTOCOL = booleanSetting("listeners.tcp.proxy-protocol", false,
      "Whether every connection to the plain MQTT listener starts with a PROXY protocol header (v1 or v2, as "
          + "haproxy's send-proxy / send-proxy-v2 or a cloud load balancer sends it): the client's address is then "
          + "the one in the header; a connection without a valid header is closed. Only for a listener that nothing "
          + "but the proxy can reach: anyone else could claim any address");

  public static final Setting<Boolean> TLS_ENABLED = booleanSetting("listeners.tls.enabled", false,
      "Whether the MQTT-over-TLS listener runs; needs listeners.tls.cert-file and listeners.tls.key-file");
  public static final Setting<String> TLS_HOST = stringSetting("listeners.tls.host", "127.0.0.1",
      "Interface of the TLS listener; 0.0.0.0 for all interfaces");
  public static final Setting<Integer> TLS_PORT = intSetting("listeners.tls.port", 8883, 0, 65535,
      "Port of the TLS listener; 0 picks a free port");
  public static final Setting<Boolean> TLS_PROXY_PROTOCOL = booleanSetting("listeners.tls.proxy-protocol", false,
      "Like listeners.tcp.proxy-protocol, for the TLS listener: the PROXY header comes before the TLS handshake "
          + "(a proxy in TCP mode that passes TLS through)");
  public static final Setting<String> TLS_CERT_FILE = stringSetting("listeners.tls.cert-file", "",
      "PEM file with the broker's certificate chain (its own certificate first), used by the tls and wss listeners; "
          + "reloaded on change");
  public static final Setting<String> TLS_KEY_FILE = stringSetting("listeners.tls.key-file", "",
      "PEM file with the private key of that certificate (PKCS#8, or PKCS#1 for RSA); reloaded on change");
  public static final Setting<String> TLS_CA_FILE = stringSetting("listeners.tls.ca-file", "",
      "PEM file with the CA certificates that client certificates must chain to; needed when client-auth is "
          + "request or required; reloaded on change");
  public static final Setting<ClientAuthMode> TLS_CLIENT_AUTH = enumSetting("listeners.tls.client-auth",
      ClientAuthMode.NONE, "Client certificates on the tls and wss listeners: none; request (a client may present "
          + "one); required (mutual TLS: a handshake without a certificate from listeners.tls.ca-file fails)");
  public static final Setting<CertificateUsername> TLS_CERT_AS_USERNAME = enumSetting("listeners.tls.cert-as-username",
      CertificateUsername.NONE, "none; cn or san: a client that presented a trusted certificate connects as the "
          + "certificate's subject CN or its first subject alternative name (DNS, e-mail or URI), authenticated by "
          + "the certificate (no password asked), whatever username its CONNECT carries; the ACL applies to that name");
  public static final Setting<String> TLS_PROTOCOLS = stringSetting("listeners.tls.protocols", "TLSv1.3,TLSv1.2",
      "Comma-separated TLS versions the tls and wss listeners accept; only TLSv1.2 and TLSv1.3 are allowed");
  public static final Setting<Integer> TLS_RELOAD_SECONDS = intSetting("listeners.tls.reload-interval-seconds", 10,
      0, 86_400, "How often the certificate, key and CA files are checked for changes; changed files serve every "
          + "new connection from then on, without a restart; 0 = never");

  public static final Setting<Boolean> WS_ENABLED = booleanSetting("listeners.ws.enabled", false,
      "Whether the MQTT-over-WebSocket listener runs (for browsers)");
  public static final Setting<String> WS_HOST = stringSetting("listeners.ws.host", "127.0.0.1",
      "Interface of the WebSocket listener; 0.0.0.0 for all interfaces");
  public static final Setting<Integer> WS_PORT = intSetting("listeners.ws.port", 8083, 0, 65535,
      "Port of the WebSocket listener; 0 picks a free port");
  public static final Setting<String> WS_PATH = stringSetting("listeners.ws.path", "/mqtt",
      "HTTP path of the WebSocket upgrade; other paths are answered 404");

  public static final Setting<Boolean> WSS_ENABLED = booleanSetting("listeners.wss.enabled", false,
      "Whether the MQTT-over-secure-WebSocket listener runs; uses the certificate settings of listeners.tls");
  public static final Setting<String> WSS_HOST = stringSetting("listeners.wss.host", "127.0.0.1",
      "Interface of the secure WebSocket listener; 0.0.0.0 for all interfaces");
  public static final Setting<Integer> WSS_PORT = intSetting("listeners.wss.port", 8084, 0, 65535,
      "Port of the secure WebSocket listener; 0 picks a free port");
  public static final Setting<String> WSS_PATH = stringSetting("listeners.wss.path", "/mqtt",
      "HTTP path of the secure WebSocket upgrade; other paths are answered 404");

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
  public static final Setting<SlowConsumerPolicy> SLOW_CONSUMER_POLICY = enumSetting("mqtt.slow-consumer.policy",
      SlowConsumerPolicy.DROP_QOS0_AND_QUEUE, "What happens to a connected client that does not read fast enough: "
          + "drop-qos0-and-queue (default): QoS 0 messages for it are dropped while its socket is not writable, "
          + "QoS 1/2 wait in its session queue (mqtt.max-queued-messages) and, once that is full, the publishers on "
          + "this node of further QoS 1/2 messages for it wait for room (their PUBACK/PUBREC is held back) for at "
          + "most mqtt.slow-consumer.max-stalled-seconds, after which the client is disconnected; disconnect: the "
          + "first message the broker would drop or hold back for it disconnects it instead (MQTT 5: DISCONNECT 0x97)");
  public static final Setting<Integer> SLOW_CONSUMER_MAX_PENDING_BYTES = byteSizeSetting(
      "mqtt.slow-consumer.max-pending-bytes", 256 * 1024, 1024, 256 * 1024 * 1024,
      "Bytes written to one client's socket and not yet taken by the network; above it the socket counts as not "
          + "writable: no QoS 0 message is written to it, QoS 1/2 wait in the session queue, and the broker stops "
          + "reading that client until half of it has drained");
  public static final Setting<Integer> SLOW_CONSUMER_MAX_STALLED_SECONDS = intSetting(
      "mqtt.slow-consumer.max-stalled-seconds", 30, 1, 86_400,
      "Longest a client's socket may stay not writable, its full queue may hold publishers back, or a closing "
          + "connection may take to flush, before the broker disconnects it without waiting, whatever the policy");
  public static final Setting<Integer> CLOSE_LINGER_MILLIS = intSetting("mqtt.close-linger-millis", 2000, 0, 60_000,
      "When the broker ends a connection (DISCONNECT with a reason, a refusing CONNACK), it stops reading, half-closes "
          + "once the packet is sent and waits this long for the client to close its side before closing the socket, so "
          + "that a client still sending reads the reason code instead of a TCP reset; 0 = close at once after sending");
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
      AnonymousAccess.LOOPBACK_ONLY, "Whether clients without a username may connect: loopback-only (default) on "
          + "the listeners whose host is a loopback address, so never on a listener bound beyond loopback; true on "
          + "every listener; false nowhere");
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
  public static final Setting<Boolean> AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK = booleanSetting(
      "auth.failed-login-exempt-loopback", true, "Whether clients connecting from a loopback address (127.0.0.0/8, ::1; "
          + "with proxy-protocol, the address in the PROXY header) are exempt from auth.failed-login-limit, so that a "
          + "few typos on this machine never lock out its local tools; false on a host whose local users are not trusted");

  public static final Setting<DrainReason> SHUTDOWN_DISCONNECT_REASON = enumSetting("shutdown.disconnect-reason",
      DrainReason.SERVER_SHUTTING_DOWN, "DISCONNECT reason MQTT 5 clients get when the node stops (SIGTERM, drain): "
          + "server-shutting-down (0x8B) or use-another-server (0x9C, with shutdown.server-reference when set); "
          + "MQTT 3.1.1 has no server DISCONNECT, its clients see the connection close");
  public static final Setting<String> SHUTDOWN_SERVER_REFERENCE = stringSetting("shutdown.server-reference", "",
      "Server Reference property sent with use-another-server (MQTT 5 section 4.11: host[:port], several separated "
          + "by spaces), e.g. the load balancer's name; empty = none; ignored with server-shutting-down");

  /** Whether anonymous clients get in; see {@link #AUTH_ALLOW_ANONYMOUS}. */
  public enum AnonymousAccess {
    /** Only on the listeners bound to loopback addresses. */
    LOOPBACK_ONLY,
    TRUE,
    FALSE
  }

  /** What happens to a client that does not keep up; see {@link #SLOW_CONSUMER_POLICY}. */
  public enum SlowConsumerPolicy {
    DROP_QOS0_AND_QUEUE, DISCONNECT
  }

  /** Whether TLS listeners ask for client certificates; see {@link #TLS_CLIENT_AUTH}. */
  public enum ClientAuthMode {
    NONE, REQUEST, REQUIRED
  }

  /** Which name of a client certificate becomes the username; see {@link #TLS_CERT_AS_USERNAME}. */
  public enum CertificateUsername {
    NONE, CN, SAN
  }

  /** The DISCONNECT reason of a stopping node; see {@link #SHUTDOWN_DISCONNECT_REASON}. */
  public enum DrainReason {
    /** 0x8B Server shutting down. */
    SERVER_SHUTTING_DOWN,
    /** 0x9C Use another server. */
    USE_ANOTHER_SERVER
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
    return List.of(NODE_ID, TCP_ENABLED, TCP_HOST, TCP_PORT, TCP_PROXY_PROTOCOL, TLS_ENABLED, TLS_HOST, TLS_PORT,
        TLS_PROXY_PROTOCOL, TLS_CERT_FILE, TLS_KEY_FILE,
        TLS_CA_FILE, TLS_CLIENT_AUTH, TLS_CERT_AS_USERNAME, TLS_PROTOCOLS, TLS_RELOAD_SECONDS, WS_ENABLED, WS_HOST,
        WS_PORT, WS_PATH, WSS_ENABLED, WSS_HOST, WSS_PORT, WSS_PATH, LISTENER_INSTANCES, EVENT_LOOPS, CONNECTION_MODEL, MAX_PACKET_SIZE, MAX_CLIENT_ID_LENGTH,
        MAX_TOPIC_LENGTH, MAX_TOPIC_LEVELS, CONNECT_TIMEOUT_SECONDS, AUTH_TIMEOUT_SECONDS, MAX_KEEP_ALIVE_SECONDS, MAX_INFLIGHT, RECEIVE_MAXIMUM,
        MAX_PENDING_ROUTES, MAX_QUEUED_MESSAGES, MAX_QUEUED_BYTES, MAX_SUBSCRIPTIONS_PER_CLIENT, MAX_CONNECTIONS,
        MAX_CONNECT_RATE, MAX_PUBLISH_RATE, MAX_PUBLISH_BYTES_RATE, SLOW_CONSUMER_POLICY, SLOW_CONSUMER_MAX_PENDING_BYTES,
        SLOW_CONSUMER_MAX_STALLED_SECONDS, TOPIC_ALIAS_MAXIMUM, MAX_OUTBOUND_TOPIC_ALIASES,
        MAX_SESSION_EXPIRY_SECONDS, MAX_MESSAGE_EXPIRY_SECONDS, RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTIONS,
        SHARED_SUBSCRIPTIONS, SHARED_STRATEGY, ALLOW_ZERO_LENGTH_CLIENT_ID, SYS_INTERVAL_SECONDS,
        AUTH_PASSWORD_FILE, AUTH_ALLOW_ANONYMOUS, AUTH_ACL_FILE, AUTH_FAILED_LOGIN_LIMIT, AUTH_FAILED_LOGIN_WINDOW_SECONDS,
        AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK, CLOSE_LINGER_MILLIS,
        REFUSAL_LOG_SECONDS, SHUTDOWN_DISCONNECT_REASON, SHUTDOWN_SERVER_REFERENCE);
  }
}
