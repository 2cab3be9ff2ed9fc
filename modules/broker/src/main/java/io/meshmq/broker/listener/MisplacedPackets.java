package io.meshmq.broker.listener;

import io.meshmq.broker.connection.ProtocolViolation;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;

/**
 * Packets vertx-mqtt mishandles once a connection has its endpoint, found by the fuzz test:
 * <ul>
 *   <li>packets only a server sends (CONNACK, SUBACK, UNSUBACK, PINGRESP): it fires an exception towards the end
 *       of the Netty pipeline, where nothing handles it (Netty logs a warning) and the connection stays open;</li>
 *   <li>a second CONNECT (one that fails to decode with an unacceptable protocol version replaces the endpoint
 *       with a new one, so the broker's close handler is never called and the session stays attached to a dead
 *       connection); likewise anything after a CONNECT vertx-mqtt refused by itself.</li>
 * </ul>
 * The broker closes the connection as a protocol error instead (MQTT 5: DISCONNECT 0x82).
 */
final class MisplacedPackets {

  private MisplacedPackets() {
  }

  /** The failure to raise for {@code msg} on a connection past its first CONNECT, or null when it may go on. */
  static ProtocolViolation failureFor(Object msg) {
    if (!(msg instanceof MqttMessage m) || m.fixedHeader() == null) {
      return null;
    }
    MqttMessageType type = m.fixedHeader().messageType();
    if (type == MqttMessageType.CONNECT) {
      return new ProtocolViolation("second CONNECT on a connection");
    }
    if (m.decoderResult().isSuccess() && (type == MqttMessageType.CONNACK || type == MqttMessageType.SUBACK
        || type == MqttMessageType.UNSUBACK || type == MqttMessageType.PINGRESP)) {
      return new ProtocolViolation(type + " from a client (only a server sends it)");
    }
    return null;
  }
}
