package io.meshmq.broker.connection;

import io.vertx.core.Handler;
import io.vertx.mqtt.messages.MqttAuthenticationExchangeMessage;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPubAckMessage;
import io.vertx.mqtt.messages.MqttPubCompMessage;
import io.vertx.mqtt.messages.MqttPubRecMessage;
import io.vertx.mqtt.messages.MqttPubRelMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;

/**
 * The one handler a connection registers for every vertx-mqtt packet callback, passing each packet to its
 * {@link ClientConnection} by type. One object instead of a lambda per packet kind: 16 bytes per connection
 * instead of 176, which idle connections pay for nothing. vertx-mqtt calls the ping handler with null (and the
 * close handler too, which is therefore a handler of its own).
 */
final class PacketDispatch implements Handler<Object> {

  private final ClientConnection c;

  PacketDispatch(ClientConnection c) {
    this.c = c;
  }

  /** This handler typed as whichever packet handler vertx-mqtt asks for; {@link #handle} sorts them out. */
  @SuppressWarnings("unchecked")
  <T> Handler<T> as() {
    return (Handler<T>) (Handler<?>) this;
  }

  @Override
  public void handle(Object packet) {
    if (c.isClosed()) {
      // The broker is ending this connection (LingeringClose): packets still queued from before are not acted on.
      return;
    }
    if (packet instanceof Throwable t) {
      c.onException(t);
      return;
    }
    if (packet instanceof MqttAuthenticationExchangeMessage) {
      c.onAuth();
      return;
    }
    c.seen(); // every other callback is a packet, and any packet counts for the keep-alive
    if (packet == null) {
      return; // PINGREQ: vertx-mqtt answers it itself
    }
    if (packet instanceof MqttPublishMessage m) {
      c.onPublish(m);
    } else if (packet instanceof MqttPubAckMessage m) {
      c.onPuback(m.messageId());
    } else if (packet instanceof MqttPubRecMessage m) {
      c.onPubrec(m.messageId(), m.code().value() & 0xFF);
    } else if (packet instanceof MqttPubRelMessage m) {
      c.onPubrel(m.messageId());
    } else if (packet instanceof MqttPubCompMessage m) {
      c.onPubcomp(m.messageId());
    } else if (packet instanceof MqttSubscribeMessage m) {
      c.onSubscribe(m);
    } else if (packet instanceof MqttUnsubscribeMessage m) {
      c.onUnsubscribe(m);
    } else if (packet instanceof MqttDisconnectMessage m) {
      c.onDisconnect(m.code(), m.properties());
    } else {
      throw new IllegalArgumentException("unexpected vertx-mqtt callback: " + packet.getClass().getName());
    }
  }
}
