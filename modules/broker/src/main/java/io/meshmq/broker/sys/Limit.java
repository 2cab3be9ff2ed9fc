package io.meshmq.broker.sys;

/**
 * The configured bounds whose triggering is counted ({@link BrokerStats#limitReached}) and exported as
 * {@code meshmq_limit_reached_total{limit=...}}. Each names the setting that sets it.
 */
public enum Limit {
  /** A CONNECT refused because the node had mqtt.max-connections clients. */
  MAX_CONNECTIONS("max_connections", "a CONNECT refused: the node has mqtt.max-connections clients"),
  /** A CONNECT refused because mqtt.max-connect-rate was used up. */
  CONNECT_RATE("connect_rate", "a CONNECT refused: over mqtt.max-connect-rate"),
  MAX_PACKET_SIZE("max_packet_size", "a client disconnected for a packet over mqtt.max-packet-size"),
  TOPIC_LENGTH("topic_length", "a topic or filter over mqtt.max-topic-length refused"),
  TOPIC_LEVELS("topic_levels", "a topic or filter over mqtt.max-topic-levels refused"),
  MAX_SUBSCRIPTIONS("max_subscriptions", "a filter refused: the session has mqtt.max-subscriptions-per-client"),
  /** Counted per message that waits in the session queue because the client's in-flight window is full. */
  MAX_INFLIGHT("max_inflight", "a message queued: the client's in-flight window (mqtt.max-inflight) was full"),
  RECEIVE_MAXIMUM("receive_maximum", "a client disconnected for exceeding mqtt.receive-maximum"),
  MAX_PENDING_ROUTES("max_pending_routes", "a publisher's socket paused: mqtt.max-pending-routes still being routed"),
  MAX_QUEUED_MESSAGES("max_queued_messages", "a session queue at mqtt.max-queued-messages (message refused or QoS 0 dropped)"),
  MAX_QUEUED_BYTES("max_queued_bytes", "a session queue at mqtt.max-queued-bytes (message refused or QoS 0 dropped)"),
  PUBLISH_RATE("publish_rate", "a publisher's socket paused: over mqtt.max-publish-rate"),
  PUBLISH_BYTES_RATE("publish_bytes_rate", "a publisher's socket paused: over mqtt.max-publish-bytes-rate");

  private final String label;
  private final String meaning;

  Limit(String label, String meaning) {
    this.label = label;
    this.meaning = meaning;
  }

  /** The value of the metric's {@code limit} label. */
  public String label() {
    return label;
  }

  public String meaning() {
    return meaning;
  }
}
