package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.TCP_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.TCP_HOST;
import static io.meshmq.broker.config.BrokerSettings.TCP_PORT;
import static io.meshmq.broker.config.BrokerSettings.TCP_PROXY_PROTOCOL;
import static io.meshmq.broker.config.BrokerSettings.TLS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.TLS_HOST;
import static io.meshmq.broker.config.BrokerSettings.TLS_PORT;
import static io.meshmq.broker.config.BrokerSettings.TLS_PROXY_PROTOCOL;
import static io.meshmq.broker.config.BrokerSettings.WSS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.WSS_HOST;
import static io.meshmq.broker.config.BrokerSettings.WSS_PATH;
import static io.meshmq.broker.config.BrokerSettings.WSS_PORT;
import static io.meshmq.broker.config.BrokerSettings.WS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.WS_HOST;
import static io.meshmq.broker.config.BrokerSettings.WS_PATH;
import static io.meshmq.broker.config.BrokerSettings.WS_PORT;

import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * One MQTT listener as configured: its name, where it binds, and what MQTT travels in (plain TCP, TLS,
 * WebSocket, WebSocket over TLS). Every listener feeds the same MQTT pipeline and connection handling.
 *
 * @param webSocketPath the HTTP path of the WebSocket upgrade; null for MQTT straight over the socket
 * @param tls the certificate settings; null for a listener without TLS
 * @param loopback whether its clients are on this machine: {@code host} names loopback addresses only and no proxy
 *                 stands between (the anonymous rule)
 * @param proxyProtocol whether each connection starts with a PROXY protocol header that names the client
 */
public record ListenerSpec(String name, String scheme, String host, int port, String webSocketPath, TlsSettings tls,
                           boolean loopback, boolean proxyProtocol) {

  /** The enabled listeners, in the order tcp, tls, ws, wss. */
  public static List<ListenerSpec> enabled(Settings settings) {
    List<ListenerSpec> specs = new ArrayList<>();
    if (settings.get(TCP_ENABLED)) {
      specs.add(of("tcp", "mqtt", settings.get(TCP_HOST), settings.get(TCP_PORT), null, null)
          .withProxyProtocol(settings.get(TCP_PROXY_PROTOCOL)));
    }
    if (settings.get(TLS_ENABLED)) {
      specs.add(of("tls", "mqtts", settings.get(TLS_HOST), settings.get(TLS_PORT), null,
          TlsSettings.from(settings, TLS_ENABLED.key())).withProxyProtocol(settings.get(TLS_PROXY_PROTOCOL)));
    }
    if (settings.get(WS_ENABLED)) {
      specs.add(of("ws", "ws", settings.get(WS_HOST), settings.get(WS_PORT), path(settings, WS_PATH), null));
    }
    if (settings.get(WSS_ENABLED)) {
      specs.add(of("wss", "wss", settings.get(WSS_HOST), settings.get(WSS_PORT), path(settings, WSS_PATH),
          TlsSettings.from(settings, WSS_ENABLED.key())));
    }
    if (specs.isEmpty()) {
      throw new InvalidSettingException(TCP_ENABLED.key(), "every MQTT listener is disabled; enable at least one of "
          + "listeners.tcp, listeners.tls, listeners.ws, listeners.wss");
    }
    return specs;
  }

  private static ListenerSpec of(String name, String scheme, String host, int port, String path, TlsSettings tls) {
    return new ListenerSpec(name, scheme, host, port, path, tls, isLoopback(host), false);
  }

  private static String path(Settings settings, Setting<String> key) {
    String path = settings.get(key).trim();
    if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
      throw new InvalidSettingException(key.key(), "must be an absolute HTTP path such as /mqtt, got '" + path + "'");
    }
    return path;
  }

  public ListenerSpec withPort(int port) {
    return new ListenerSpec(name, scheme, host, port, webSocketPath, tls, loopback, proxyProtocol);
  }

  /**
   * Behind a PROXY protocol sender the socket's peer is the proxy, wherever the clients are: such a listener is never
   * "loopback only" (auth.allow-anonymous=loopback-only would otherwise let anyone the proxy admits in anonymously).
   */
  private ListenerSpec withProxyProtocol(boolean on) {
    return new ListenerSpec(name, scheme, host, port, webSocketPath, tls, loopback && !on, on);
  }

  public boolean webSocket() {
    return webSocketPath != null;
  }

  /** How a client addresses this listener, e.g. {@code wss://0.0.0.0:8084/mqtt}. */
  public String url() {
    return scheme + "://" + host + ":" + port + (webSocket() ? webSocketPath : "");
  }

  /** The URL, and whether connections come through a PROXY protocol sender: for the start-up log line. */
  public String describe() {
    return url() + (proxyProtocol ? " (PROXY protocol)" : "");
  }

  /** Whether every address {@code host} names is a loopback address (0.0.0.0 and unresolvable names are not). */
  public static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(host.trim());
      if (all.length == 0) {
        return false;
      }
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
