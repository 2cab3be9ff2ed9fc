package io.meshmq.broker.will;

import io.meshmq.core.message.Message;
import io.meshmq.core.message.PublishProperties;

/**
 * A client's last will as given in CONNECT. The message is made when the will is published, so that an
 * MQTT 5 Message Expiry Interval counts from then.
 *
 * @param delaySeconds  MQTT 5 Will Delay Interval (0 = publish at once)
 * @param expirySeconds MQTT 5 Message Expiry Interval of the will, or -1
 * @param token         tells this will from a later one of the same client id (a random number)
 */
public record WillMessage(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
                          String clientId, long delaySeconds, long expirySeconds, long token) {

  public Message message() {
    long expiresAt = expirySeconds < 0 ? Message.NEVER : System.currentTimeMillis() + expirySeconds * 1000;
    return new Message(topic, payload, qos, retain, properties, clientId, expiresAt);
  }
}
