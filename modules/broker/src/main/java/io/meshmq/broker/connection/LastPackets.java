package io.meshmq.broker.connection;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;

/**
 * The packets that end a connection, built as vertx-mqtt builds them, for {@link LingeringClose} to send (vertx-mqtt
 * would close the socket at once after writing them). Netty's encoder writes them in the connection's MQTT version.
 */
public final class LastPackets {

  private LastPackets() {
  }

  static MqttMessage disconnect(MqttDisconnectReasonCode reason, MqttProperties properties) {
    MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0);
    return new MqttMessage(header, new MqttReasonCodeAndPropertiesVariableHeader(reason.value(), properties));
  }

  /** A CONNACK refusing the connection with {@code code}, without session present. */
  public static MqttConnAckMessage connack(MqttConnectReturnCode code) {
    return MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build();
  }
}
