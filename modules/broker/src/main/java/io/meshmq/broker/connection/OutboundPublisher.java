package io.meshmq.broker.connection;

import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.TOPIC_ALIAS;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes PUBLISH packets to one client: MQTT 5 properties (pass-through ones, remaining message expiry,
 * subscription identifiers, topic alias), and never a packet larger than the client's Maximum Packet Size.
 */
final class OutboundPublisher {

  private static final Logger log = LoggerFactory.getLogger(OutboundPublisher.class);

  private OutboundPublisher() {
  }

  private static boolean fits(ClientConnection c, int packetSize) {
    return packetSize <= c.clientMaxPacketSize;
  }

  /**
   * Returns false when the message is too large for the client and was dropped. Static: the connection holds all
   * the state, and an object per connection would cost 16 bytes and a field.
   */
  static boolean send(ClientConnection c, Delivery d, int packetId, boolean dup) {
    Message m = d.message();
    boolean v5 = c.protocolVersion >= 5;
    MqttProperties props = MqttProperties.NO_PROPERTIES;
    int propsLength = 0;
    if (v5) {
      props = new MqttProperties();
      Mqtt5.addPublishProperties(props, m.properties());
      if (m.expires()) {
        Mqtt5.addInt(props, PUBLICATION_EXPIRY_INTERVAL, (int) Math.min(m.remainingExpirySeconds(System.currentTimeMillis()), 0xFFFF_FFFFL));
      }
      for (int id : d.subscriptionIds()) {
        props.add(new MqttProperties.IntegerProperty(SUBSCRIPTION_IDENTIFIER.value(), id));
      }
      propsLength = Mqtt5.propertiesLength(props);
    }
    // The alias choice changes the size: an alias the client knows saves the topic, a new one adds 3 bytes.
    String topic = m.topic();
    int payloadLength = m.payload().length;
    int alias = 0;
    int size;
    int known = v5 ? c.aliases().knownOutbound(topic) : 0;
    if (known > 0 && fits(c, size = Mqtt5.publishPacketSize("", payloadLength, d.qos(), propsLength + Mqtt5.TOPIC_ALIAS_PROPERTY_LENGTH, true))) {
      alias = known;
      topic = "";
    } else if (v5 && c.aliases().canAssignOutbound()
        && fits(c, size = Mqtt5.publishPacketSize(topic, payloadLength, d.qos(), propsLength + Mqtt5.TOPIC_ALIAS_PROPERTY_LENGTH, true))) {
      alias = c.aliases().assignOutbound(topic);
    } else {
      size = Mqtt5.publishPacketSize(topic, payloadLength, d.qos(), propsLength, v5);
      if (!fits(c, size)) {
        c.node.stats().droppedTooLarge.increment();
        log.debug("Client {}: {} B message on {} exceeds its maximum packet size {}, not sent", c.clientId, size,
            m.topic(), c.clientMaxPacketSize);
        return false;
      }
    }
    if (alias > 0) {
      props.add(new MqttProperties.IntegerProperty(TOPIC_ALIAS.value(), alias));
    }
    try {
      c.endpoint.publish(topic, Buffer.buffer(m.payload()), MqttQoS.valueOf(d.qos()), dup, d.retain(), packetId, props);
      c.node.stats().publishSent.increment();
      c.node.stats().messagesSent.increment();
      c.node.stats().sentAtQos(d.qos()).increment();
      c.node.stats().bytesSent.add(size);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The endpoint closed under us; the session keeps QoS 1/2 messages for the next connection.
      log.trace("publish on a closed endpoint", e);
    }
    return true;
  }
}
