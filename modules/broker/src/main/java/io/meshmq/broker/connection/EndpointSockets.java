package io.meshmq.broker.connection;

import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;

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

  /** The client's address as "host:port" (see {@link ClientAddress}). */
  static String remoteAddress(NetSocketInternal socket) {
    return ClientAddress.of(socket.channelHandlerContext().channel());
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
