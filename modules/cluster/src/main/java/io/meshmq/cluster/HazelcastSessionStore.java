package io.meshmq.cluster;

import com.hazelcast.map.IMap;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.session.SessionStore;
import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Persistent sessions in Hazelcast, so that they outlive the node that holds them: one record per session
 * (subscriptions, expiry), written when they change, and the node's {@link SessionJournal} for what changes with
 * every message (the QoS 1/2 messages a session took and its client has not acknowledged, the packet ids QoS 2
 * ones went out under, the inbound QoS 2 ids held until PUBREL). A survivor of the node's death replays the
 * node's journal to rebuild its sessions ({@link #recover}).
 */
final class HazelcastSessionStore implements SessionStore {

  private final Vertx vertx;
  private final String self;
  private final IMap<String, byte[]> sessions;
  private final IMap<JournalKey, byte[]> journalMap;
  private final SessionJournal journal;

  HazelcastSessionStore(Vertx vertx, String self, IMap<String, byte[]> sessions, IMap<JournalKey, byte[]> journalMap,
                        SessionJournal journal) {
    this.vertx = vertx;
    this.self = self;
    this.sessions = sessions;
    this.journalMap = journalMap;
    this.journal = journal;
  }

  SessionJournal journal() {
    return journal;
  }

  @Override
  public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
    return journal.taken(clientId, sequence, delivery);
  }

  @Override
  public Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
    return journal.marked(clientId, messageId, packetId, released);
  }

  @Override
  public void messageDone(String clientId, long messageId) {
    journal.done(clientId, messageId);
  }

  @Override
  public Future<Void> inboundHeld(String clientId, int packetId) {
    return journal.inboundHeld(clientId, packetId);
  }

  @Override
  public Future<Void> inboundReleased(String clientId, int packetId) {
    return journal.inboundReleased(clientId, packetId);
  }

  @Override
  public void sessionChanged(SessionSnapshot state) {
    byte[] record = HeldSession.encode(self, SessionWire.encode(state));
    MaybeWritten.again(() -> sessions.setAsync(state.clientId(), record));
  }

  @Override
  public void sessionEnded(String clientId) {
    journal.clear(clientId);
    MaybeWritten.again(() -> sessions.deleteAsync(clientId));
  }

  @Override
  public void sessionLeft(String clientId) {
    journal.clear(clientId);
  }

  /** The node whose record of the client's persistent session is in the store (null: none). */
  Future<String> holderOf(String clientId) {
    return Future.fromCompletionStage(sessions.getAsync(clientId), vertx.getOrCreateContext())
        .map(record -> record == null || record.length < 2 ? null : HeldSession.holder(record));
  }

  /**
   * The sessions the departed node held, as it left them: each one's record, with the messages and inbound QoS 2
   * ids its journal still has for it. Found by the holder in their records, not by the client registry: a client
   * that reconnected elsewhere before its node was declared dead has its id claimed there, and its session is still
   * the departed node's to give. The journal is read, not changed: the node that adopts a session puts its messages
   * on its own journal, and then the departed node's journal is deleted ({@link #forget}).
   */
  Future<List<SessionSnapshot>> recover(String departed) {
    return vertx.executeBlocking(() -> {
      JournalReplay replay = new JournalReplay();
      for (byte[] entry : entriesOf(departed).values()) {
        replay.applyAll(JournalWire.decode(entry));
      }
      List<SessionSnapshot> out = new ArrayList<>();
      for (byte[] record : sessions.values(new HeldSession.HeldBy(departed))) {
        out.add(replay.session(SessionWire.decode(HeldSession.session(record))));
      }
      return out;
    }, false);
  }

  /** Deletes what is left of a departed node's journal (its sessions have been adopted, or ended with it). */
  Future<Integer> forget(String departed) {
    return vertx.executeBlocking(() -> {
      Set<JournalKey> keys = keysOf(departed);
      keys.forEach(k -> MaybeWritten.againBlocking(() -> journalMap.delete(k)));
      return keys.size();
    }, false);
  }

  /** The node's journal entries in the order they were written. Blocking. */
  private Map<JournalKey, byte[]> entriesOf(String node) {
    Map<JournalKey, byte[]> all = journalMap.getAll(keysOf(node));
    Map<JournalKey, byte[]> ordered = new java.util.TreeMap<>(Comparator.comparingLong(JournalKey::sequence));
    ordered.putAll(all);
    return ordered;
  }

  /** The journal map holds a few entries per node, so its key set is read whole and filtered here. Blocking. */
  private Set<JournalKey> keysOf(String node) {
    Set<JournalKey> out = new java.util.HashSet<>();
    for (JournalKey k : journalMap.keySet()) {
      if (k.node().equals(node)) {
        out.add(k);
      }
    }
    return out;
  }
}
