package io.meshmq.core.session;

import io.meshmq.core.message.Delivery;

/** An outbound QoS 1/2 message sent to the client and not yet fully acknowledged. */
public final class InflightMessage {

  /** Where the outbound handshake stands. */
  public enum Stage {
    /** PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2). */
    PUBLISHED,
    /** QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP. The message itself is no longer re-sent. */
    RELEASED
  }

  private final int packetId;
  private final Delivery delivery;
  private Stage stage = Stage.PUBLISHED;

  InflightMessage(int packetId, Delivery delivery) {
    this.packetId = packetId;
    this.delivery = delivery;
  }

  public int packetId() {
    return packetId;
  }

  public Delivery delivery() {
    return delivery;
  }

  public Stage stage() {
    return stage;
  }

  void release() {
    stage = Stage.RELEASED;
  }

  @Override
  public String toString() {
    return "Inflight{" + packetId + ", " + stage + ", " + delivery.message() + "}";
  }
}
