package io.meshmq.broker.session;

import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a persistent session keeps in the {@link SessionStore} so that it outlives its node: its record
 * (subscriptions, expiry), the QoS 1/2 messages it took and its client has not acknowledged, the packet ids QoS 2
 * ones went out under, and the inbound QoS 2 ids it holds. A future returned here completes once the store has it
 * (null: nothing to wait for); whoever must not go on before (a publisher's acknowledgement, a QoS 2 PUBLISH or
 * PUBREL) waits for it. Owner context only.
 */
final class SessionRecords {

  private final String clientId;
  private final SessionStore store;
  /**
   * Orders the messages the session takes (recovery replays them in this order). Starts from the clock, so that a
   * session that moved on to another node keeps counting upwards there.
   */
  private long sequence = System.currentTimeMillis() * 1000;
  /** Ids of the messages this session has on record, to report each one done. */
  private Set<Long> messages;
  private boolean saved;
  /** The session moved to another node, which keeps its records from then on. */
  private boolean movedAway;

  SessionRecords(String clientId, SessionStore store) {
    this.clientId = clientId;
    this.store = store;
  }

  /** The session took a message; QoS 0 is not kept (null). */
  Future<Void> taken(Delivery d) {
    if (d.qos() == 0) {
      return null;
    }
    if (messages == null) {
      messages = new HashSet<>();
    }
    messages.add(d.message().id());
    return store.messageTaken(clientId, sequence++, d);
  }

  /** The message left the session (acknowledged, dropped, expired, handed to another group member). */
  void done(Delivery d) {
    if (messages != null && messages.remove(d.message().id())) {
      store.messageDone(clientId, d.message().id());
    }
  }

  /** A QoS 2 message on record went out under {@code packetId} ({@code released}: its PUBREC came); else null. */
  Future<Void> sentUnder(Delivery d, int packetId, boolean released) {
    if (d.qos() != 2 || messages == null || !messages.contains(d.message().id())) {
      return null;
    }
    return store.messageInFlight(clientId, d.message().id(), packetId, released);
  }

  Future<Void> inboundHeld(int packetId) {
    return movedAway ? null : store.inboundHeld(clientId, packetId);
  }

  Future<Void> inboundReleased(int packetId) {
    return movedAway ? null : store.inboundReleased(clientId, packetId);
  }

  /** Writes the session's record: subscriptions and expiry (its messages are kept one by one). */
  void save(long expirySeconds, Collection<Subscription> subscriptions, Set<Integer> inboundQos2) {
    if (movedAway) {
      return;
    }
    List<SessionSnapshot.SubscriptionSpec> subs = new ArrayList<>(subscriptions.size());
    for (Subscription sub : subscriptions) {
      subs.add(SessionSnapshot.SubscriptionSpec.of(sub));
    }
    store.sessionChanged(new SessionSnapshot(clientId, expirySeconds, subs, List.of(), List.of(), inboundQos2));
    saved = true;
  }

  /** The session went to another node: from now on that node keeps its records. */
  void movedAway() {
    movedAway = true;
  }

  /** The session ended here: its records go (or, if it moved, only what this node kept for it). */
  void ended() {
    if (movedAway) {
      store.sessionLeft(clientId);
    } else if (saved || messages != null) {
      store.sessionEnded(clientId);
    }
    messages = null;
  }
}
