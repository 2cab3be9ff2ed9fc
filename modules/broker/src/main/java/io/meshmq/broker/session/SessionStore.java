package io.meshmq.broker.session;

import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;

/**
 * Where persistent sessions are kept so that they survive the loss of the node that holds them: their
 * subscriptions and expiry, and every QoS 1/2 message they took and the client has not yet acknowledged. A
 * single node keeps nothing (its sessions die with it); a cluster writes to Hazelcast with a backup before the
 * publisher is acknowledged.
 */
public interface SessionStore {

  /** A persistent session took a QoS 1/2 message; the future completes once it is stored with its backup. */
  Future<Void> messageTaken(String clientId, long sequence, Delivery delivery);

  /** The message is off the session's hands (acknowledged, dropped, expired). */
  void messageDone(String clientId, long messageId);

  /** The session's subscriptions or expiry changed (the snapshot carries no messages). */
  void sessionChanged(SessionSnapshot state);

  /** The session ended for good: its record goes (its messages were reported done one by one). */
  void sessionEnded(String clientId);

  Future<Void> STORED = Future.succeededFuture();

  SessionStore NONE = new SessionStore() {
    @Override
    public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
      return STORED;
    }

    @Override
    public void messageDone(String clientId, long messageId) {
    }

    @Override
    public void sessionChanged(SessionSnapshot state) {
    }

    @Override
    public void sessionEnded(String clientId) {
    }
  };
}
