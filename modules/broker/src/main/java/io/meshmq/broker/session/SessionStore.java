package io.meshmq.broker.session;

import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;

/**
 * Where persistent sessions are kept so that they survive the loss of the node that holds them: their
 * subscriptions and expiry, and every QoS 1/2 message they took and the client has not yet acknowledged. A
 * single node keeps nothing (its sessions die with it); a cluster writes to Hazelcast with a backup before the
 * publisher is acknowledged (batched: many sessions' changes in one write). A future that fails means the record
 * was not written: whoever waits for it must not report the message safe. Every method defaults to keeping
 * nothing, which is what a single node does.
 */
public interface SessionStore {

  /** A persistent session took a QoS 1/2 message; the future completes once it is stored with its backup. */
  default Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
    return STORED;
  }

  /** The message is off the session's hands (acknowledged, dropped, expired). */
  default void messageDone(String clientId, long messageId) {
  }

  /**
   * A stored QoS 2 message went out under this packet id ({@code released}: its PUBREC came). A node that
   * recovers the session re-sends it under the same id (or only its PUBREL), so that the client's own QoS 2
   * de-duplication still holds after the node's death. The PUBLISH (PUBREL) waits for this write.
   */
  default Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
    return STORED;
  }

  /** An inbound QoS 2 packet id is held until PUBREL; the PUBREC waits for this write. */
  default Future<Void> inboundHeld(String clientId, int packetId) {
    return STORED;
  }

  /** A held inbound QoS 2 packet id was released; the PUBCOMP (after which the client may reuse it) waits. */
  default Future<Void> inboundReleased(String clientId, int packetId) {
    return STORED;
  }

  /** The session's subscriptions or expiry changed (the snapshot carries no messages). */
  default void sessionChanged(SessionSnapshot state) {
  }

  /** The session ended for good: its record and everything kept for it go. */
  default void sessionEnded(String clientId) {
  }

  /**
   * The session moved to another node, which keeps its record and its messages from now on: what this node kept
   * for it goes, the record stays.
   */
  default void sessionLeft(String clientId) {
  }

  Future<Void> STORED = Future.succeededFuture();

  SessionStore NONE = new SessionStore() {
  };
}
