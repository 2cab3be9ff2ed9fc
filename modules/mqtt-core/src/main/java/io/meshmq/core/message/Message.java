package io.meshmq.core.message;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An application message as published: immutable and shared by every subscriber it is delivered to. The
 * per-subscriber parts (granted QoS, retain flag as delivered, subscription identifiers, packet id) live in
 * {@link Delivery}.
 */
public final class Message {

  /** {@link #expiresAtMillis()} of a message that never expires. */
  public static final long NEVER = Long.MAX_VALUE;

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final boolean retain;
  private final PublishProperties properties;
  private final String publisherId;
  private final long expiresAtMillis;
  private final long id;

  /**
   * @param publisherId client id of the publisher (for no-local); null for messages the broker makes itself
   * @param expiresAtMillis wall-clock deadline from an MQTT 5 Message Expiry Interval, or {@link #NEVER}
   */
  public Message(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
                 String publisherId, long expiresAtMillis) {
    this(topic, payload, qos, retain, properties, publisherId, expiresAtMillis, ThreadLocalRandom.current().nextLong());
  }

  /**
   * A message with a given id: the same message travelling between nodes keeps the id it got where it was
   * published, so that a session handed from one node to another can tell a copy it already has.
   */
  public Message(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
                 String publisherId, long expiresAtMillis, long id) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos " + qos);
    }
    this.topic = Objects.requireNonNull(topic);
    this.payload = Objects.requireNonNull(payload);
    this.qos = qos;
    this.retain = retain;
    this.properties = properties == null ? PublishProperties.NONE : properties;
    this.publisherId = publisherId;
    this.expiresAtMillis = expiresAtMillis;
    this.id = id;
  }

  public static Message of(String topic, byte[] payload, int qos, boolean retain) {
    return new Message(topic, payload, qos, retain, PublishProperties.NONE, null, NEVER);
  }

  public String topic() {
    return topic;
  }

  /** The payload; never modified after construction, so it is shared without copying. */
  public byte[] payload() {
    return payload;
  }

  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  public PublishProperties properties() {
    return properties;
  }

  public String publisherId() {
    return publisherId;
  }

  /** A random 64-bit id, given once where the message was published. */
  public long id() {
    return id;
  }

  public long expiresAtMillis() {
    return expiresAtMillis;
  }

  public boolean expires() {
    return expiresAtMillis != NEVER;
  }

  public boolean isExpired(long nowMillis) {
    return expiresAtMillis != NEVER && nowMillis >= expiresAtMillis;
  }

  /** Seconds left, rounded up, for the Message Expiry Interval sent to a subscriber (MQTT 5 3.3.2.3.3). */
  public long remainingExpirySeconds(long nowMillis) {
    if (expiresAtMillis == NEVER) {
      return -1;
    }
    long left = expiresAtMillis - nowMillis;
    return left <= 0 ? 0 : (left + 999) / 1000;
  }

  public Message withRetain(boolean newRetain) {
    return newRetain == retain ? this
        : new Message(topic, payload, qos, newRetain, properties, publisherId, expiresAtMillis, id);
  }

  public Message withQos(int newQos) {
    return newQos == qos ? this
        : new Message(topic, payload, newQos, retain, properties, publisherId, expiresAtMillis, id);
  }

  @Override
  public String toString() {
    return "Message{" + topic + ", qos=" + qos + (retain ? ", retain" : "") + ", " + payload.length + " B}";
  }
}
