package io.meshmq.broker.listener;

import io.meshmq.broker.connection.ClientAddress;
import io.meshmq.broker.connection.LastPackets;
import io.meshmq.broker.connection.LingeringClose;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.net.NetSocketInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at what a connection sends before and with its CONNECT, ahead of vertx-mqtt, which answers some of
 * it badly: a packet before CONNECT makes it throw (an ERROR log line any client can trigger at will); an
 * MQTT 3.1 CONNECT with an empty client id gets no CONNACK at all; a 3.1.1 CONNECT with will fields but no
 * will flag gets the MQTT 5-only code 0x82. Everything after an acceptable CONNECT passes straight through.
 */
final class PreConnectGate {

  private static final Logger log = LoggerFactory.getLogger(PreConnectGate.class);

  private final NetSocketInternal socket;
  private final int closeLingerMillis;
  private boolean connectSeen;

  PreConnectGate(NetSocketInternal socket, int closeLingerMillis) {
    this.socket = socket;
    this.closeLingerMillis = closeLingerMillis;
  }

  /** True when vertx-mqtt should see the message; otherwise it was answered (or dropped) and released here. */
  boolean admit(Object msg) {
    if (connectSeen || !(msg instanceof MqttMessage m)) {
      return true;
    }
    if (m.fixedHeader() == null || m.fixedHeader().messageType() != MqttMessageType.CONNECT) {
      refuse(msg, m.decoderResult().isFailure()
          ? "malformed first packet (" + m.decoderResult().cause() + ")"
          : m.fixedHeader().messageType() + " before CONNECT");
      return false;
    }
    DecoderResult result = m.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof MqttUnacceptableProtocolVersionException) {
        connectSeen = true;
        return true; // vertx-mqtt answers CONNACK 0x01 itself
      }
      if (cause instanceof MqttIdentifierRejectedException) {
        log.info("Connection from {} refused: invalid client identifier ({})", remote(), cause.getMessage());
        ReferenceCountUtil.release(msg);
        LingeringClose.end(socket, LastPackets.connack(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED),
            closeLingerMillis);
        return false;
      }
      refuse(msg, "malformed CONNECT (" + cause + ")");
      return false;
    }
    MqttConnectMessage connect = (MqttConnectMessage) m;
    int version = connect.variableHeader().version();
    if (version < 5 && !connect.variableHeader().isWillFlag()
        && (connect.variableHeader().willQos() != 0 || connect.variableHeader().isWillRetain())) {
      // MQTT-3.1.2-11/13/15: a protocol violation 3.1.1 has no return code for: close without CONNACK.
      refuse(msg, "will QoS or will retain set without the will flag");
      return false;
    }
    connectSeen = true;
    return true;
  }

  private void refuse(Object msg, String why) {
    log.info("Connection from {} closed: {}", remote(), why);
    ReferenceCountUtil.release(msg);
    LingeringClose.end(socket, null, closeLingerMillis);
  }

  private String remote() {
    return ClientAddress.of(socket.channelHandlerContext().channel());
  }

}
