package io.meshmq.broker.session;

import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.core.message.Delivery;

/** What a session needs from the network connection currently attached to it. */
public interface SessionLink {

  /**
   * Writes a PUBLISH. Returns false when the message was not sent because it is larger than the client's
   * Maximum Packet Size (the caller then treats it as delivered, as MQTT 5 prescribes).
   */
  boolean sendPublish(Delivery delivery, int packetId, boolean dup);

  void sendPubrel(int packetId, boolean packetIdFound);

  /** Whether the socket accepts more data now (QoS 0 messages are dropped, not buffered, while it does not). */
  boolean writable();

  /**
   * A message for this client was dropped because it does not keep up (socket not writable, queue full while
   * connected): the connection applies the slow-consumer policy.
   */
  default void cannotKeepUp() {
  }

  /**
   * The client stayed behind too long while publishers waited for room in its queue: it is disconnected as a slow
   * consumer (MQTT 5: DISCONNECT 0x97), whatever the policy.
   */
  default void fellBehind(String why) {
  }

  /** Another connection took this client id over: MQTT 5 DISCONNECT 0x8E, then close. */
  void takenOver();

  /**
   * The node sheds this connection to even the load of the cluster: MQTT 5 DISCONNECT 0x9C (use another server), a
   * plain close for 3.1.1. The session stays, for the client to take over wherever it reconnects.
   */
  default void moveToAnotherServer() {
  }

  /** The connection's MQTT protocol version (3 = 3.1, 4 = 3.1.1, 5 = 5.0), 0 when unknown. For operators. */
  default int protocolVersion() {
    return 0;
  }

  /** Who the client is, as authentication established it; null when unknown. */
  default ClientIdentity identity() {
    return null;
  }

  /** The client's address as "host:port" (the one a PROXY header named, behind a proxy); null when unknown. */
  default String remoteAddress() {
    return null;
  }

  /** The keep-alive in effect for the connection, in seconds (0 = none). For operators. */
  default int keepAliveSeconds() {
    return 0;
  }
}
