package io.meshmq.broker.connection;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.BrokerSettings.DrainReason;
import io.meshmq.broker.config.Settings;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * The DISCONNECT a stopping node sends its MQTT 5 clients: 0x8B (server shutting down) by default, or 0x9C (use
 * another server) with an optional Server Reference, so that clients which honour it go to the address the operator
 * names (typically the load balancer) instead of retrying this node.
 *
 * @param reason          the reason code
 * @param serverReference the Server Reference property, or empty for none
 */
public record ShutdownDisconnect(MqttDisconnectReasonCode reason, String serverReference) {

  public static ShutdownDisconnect of(Settings settings) {
    if (settings.get(BrokerSettings.SHUTDOWN_DISCONNECT_REASON) == DrainReason.USE_ANOTHER_SERVER) {
      return new ShutdownDisconnect(MqttDisconnectReasonCode.USE_ANOTHER_SERVER,
          settings.get(BrokerSettings.SHUTDOWN_SERVER_REFERENCE).trim());
    }
    return new ShutdownDisconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN, "");
  }

  /** A fresh property set per connection (the encoder reads it after this call returns). */
  public MqttProperties properties() {
    if (serverReference.isEmpty()) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties p = new MqttProperties();
    p.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.SERVER_REFERENCE.value(), serverReference));
    return p;
  }
}
