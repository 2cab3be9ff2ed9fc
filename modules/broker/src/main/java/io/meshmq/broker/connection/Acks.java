package io.meshmq.broker.connection;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.internal.net.NetSocketInternal;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP with MQTT 5 reason codes. vertx-mqtt's endpoint drops the reason code
 * it is given for the last three, so the broker writes them to the socket itself; Netty's encoder leaves
 * the reason code out for MQTT 3.1.1 and for a plain success.
 */
final class Acks {

  static final int SUCCESS = 0x00;
  static final int UNSPECIFIED_ERROR = 0x80;
  static final int NOT_AUTHORIZED = 0x87;
  static final int PACKET_ID_NOT_FOUND = 0x92;

  private Acks() {
  }

  static void puback(NetSocketInternal socket, int packetId, int reasonCode) {
    write(socket, MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId, reasonCode);
  }

  static void pubrec(NetSocketInternal socket, int packetId, int reasonCode) {
    write(socket, MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, reasonCode);
  }

  static void pubrel(NetSocketInternal socket, int packetId, int reasonCode) {
    // PUBREL's fixed header carries QoS 1 (flags 0010), MQTT-3.6.1-1.
    write(socket, MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId, reasonCode);
  }

  static void pubcomp(NetSocketInternal socket, int packetId, int reasonCode) {
    write(socket, MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, packetId, reasonCode);
  }

  private static void write(NetSocketInternal socket, MqttMessageType type, MqttQoS qos, int packetId, int reasonCode) {
    MqttFixedHeader header = new MqttFixedHeader(type, false, qos, false, 0);
    socket.writeMessage(new MqttMessage(header,
        new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, MqttProperties.NO_PROPERTIES)));
  }
}
