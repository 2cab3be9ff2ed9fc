package io.meshmq.broker.connection;

import io.netty.channel.Channel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;

/**
 * Reaches the socket under a vertx-mqtt endpoint. vertx-mqtt offers no way to pause reading or to check
 * writability, and both are needed: to hold packets pipelined behind CONNECT until the CONNACK (vertx-mqtt
 * issue 121 closes the connection otherwise), and to stop reading a publisher whose messages are still being
 * routed. The field is looked up once; if a vertx-mqtt upgrade renames it, the broker fails at start-up.
 */
final class EndpointSockets {

  private static final Field SOCKET_FIELD = lookup();

  private EndpointSockets() {
  }

  static NetSocketInternal socketOf(MqttEndpoint endpoint) {
    try {
      return (NetSocketInternal) SOCKET_FIELD.get(endpoint);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot reach the socket of " + endpoint.getClass().getName(), e);
    }
  }

  /**
   * The client's address as "host:port", the way Vert.x prints it, read from the Netty channel: Vert.x's
   * {@code socket.remoteAddress()} keeps a SocketAddress and its host string (80 bytes) on the connection for
   * its lifetime, for an address the JDK socket holds anyway. When a PROXY protocol header overrides the
   * address, Vert.x's answer is the right one and is used.
   */
  static String remoteAddress(NetSocketInternal socket) {
    try {
      Channel channel = socket.channelHandlerContext().channel();
      if (!channel.hasAttr(ConnectionBase.REMOTE_ADDRESS_OVERRIDE)
          && channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
      }
      return String.valueOf(socket.remoteAddress());
    } catch (RuntimeException e) {
      return "?";
    }
  }

  private static Field lookup() {
    try {
      Class<?> impl = Class.forName("io.vertx.mqtt.impl.MqttEndpointImpl");
      for (Field f : impl.getDeclaredFields()) {
        if (NetSocketInternal.class.isAssignableFrom(f.getType())) {
          f.setAccessible(true);
          return f;
        }
      }
      throw new IllegalStateException("MqttEndpointImpl has no NetSocketInternal field");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("vertx-mqtt endpoint implementation not found", e);
    }
  }
}
