package io.meshmq.server.config;

import static io.meshmq.broker.config.Setting.booleanSetting;
import static io.meshmq.broker.config.Setting.enumSetting;
import static io.meshmq.broker.config.Setting.intSetting;
import static io.meshmq.broker.config.Setting.stringSetting;

import io.meshmq.broker.config.Setting;
import java.util.List;

/** The settings of the launcher process itself (logging, HTTP listener and admin API, shutdown). One declaration per setting. */
public final class ServerSettings {

  private ServerSettings() {
  }

  // An enum rather than a free string: logback silently turns an unknown level name into DEBUG,
  // so a typo such as "inf" would flood the log instead of failing at start.
  public static final Setting<LogLevel> LOG_LEVEL = enumSetting("log.level", LogLevel.INFO,
      "Level of the root logger; per-logger levels and the log format live in logback.xml");

  public static final Setting<String> HTTP_HOST = stringSetting("http.host", "127.0.0.1",
      "Interface of the HTTP listener (/health/live, /health/ready, /metrics, /api/...); 0.0.0.0 for all");
  public static final Setting<Integer> HTTP_PORT = intSetting("http.port", 8080, 0, 65535,
      "Port of the HTTP listener for health, Prometheus metrics and the admin API; 0 picks a free port");

  public static final Setting<Boolean> ADMIN_ENABLED = booleanSetting("admin.enabled", false,
      "Serve the admin REST API (/api/...) on the HTTP listener; it also needs admin.token");
  public static final Setting<String> ADMIN_TOKEN = stringSetting("admin.token", "",
      "Bearer token the admin REST API requires (Authorization: Bearer TOKEN); empty = admin API off (404)");

  public static final Setting<Integer> SHUTDOWN_GRACE_SECONDS = intSetting("shutdown.grace-seconds", 30, 0, 3600,
      "On SIGTERM/SIGINT, how long the broker and Vert.x get to stop before the JVM exits anyway");
  public static final Setting<Integer> SHUTDOWN_UNREADY_SECONDS = intSetting("shutdown.unready-seconds", 0, 0, 3600,
      "On stop, how long /health/ready answers 503 before the MQTT listeners close, so that load balancers take "
          + "the node out first; part of shutdown.grace-seconds");

  /** Levels of the root logger. */
  public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF
  }

  public static List<Setting<?>> all() {
    return List.of(LOG_LEVEL, HTTP_HOST, HTTP_PORT, ADMIN_ENABLED, ADMIN_TOKEN, SHUTDOWN_GRACE_SECONDS,
        SHUTDOWN_UNREADY_SECONDS);
  }
}
