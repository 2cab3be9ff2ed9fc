package io.meshmq.cluster;

import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.core.message.Delivery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of a node's persistent sessions, rebuilt by applying its journal's records in the order they were
 * written: per client, the QoS 1/2 messages not yet done (with the packet id a QoS 2 one went out under) and the
 * inbound QoS 2 ids still held. A record about a message the replay does not know (its entry was trimmed, or
 * never written) changes nothing.
 */
final class JournalReplay {

  private record Pending(long sequence, Delivery delivery, int packetId, boolean released) {
  }

  private static final class ClientState {
    final Map<Long, Pending> messages = new LinkedHashMap<>();
    final Set<Integer> inbound = new LinkedHashSet<>();
  }

  private final Map<String, ClientState> clients = new HashMap<>();

  void apply(JournalRecord r) {
    if (r instanceof JournalRecord.Take t) {
      state(t.clientId()).messages.put(t.messageId(), new Pending(t.sequence(), t.delivery(), t.packetId(), t.released()));
    } else if (r instanceof JournalRecord.Mark m) {
      ClientState c = clients.get(m.clientId());
      Pending p = c == null ? null : c.messages.get(m.messageId());
      if (p != null) {
        c.messages.put(m.messageId(), new Pending(p.sequence(), p.delivery(), m.packetId(), m.released()));
      }
    } else if (r instanceof JournalRecord.Done d) {
      ClientState c = clients.get(d.clientId());
      if (c != null) {
        c.messages.remove(d.messageId());
      }
    } else if (r instanceof JournalRecord.InboundHeld h) {
      state(h.clientId()).inbound.add(h.packetId());
    } else if (r instanceof JournalRecord.InboundReleased h) {
      ClientState c = clients.get(h.clientId());
      if (c != null) {
        c.inbound.remove(h.packetId());
      }
    } else if (r instanceof JournalRecord.Clear c) {
      clients.remove(c.clientId());
    }
  }

  void applyAll(List<JournalRecord> records) {
    records.forEach(this::apply);
  }

  private ClientState state(String clientId) {
    return clients.computeIfAbsent(clientId, id -> new ClientState());
  }

  /** The clients with anything left. */
  Set<String> clientIds() {
    return clients.keySet();
  }

  /**
   * The session of a client as its record ({@code saved}: subscriptions, expiry) and the journal give it: the QoS 2
   * messages that went out under a packet id in flight under that id, the others queued, both in the order the
   * session took them.
   */
  SessionSnapshot session(SessionSnapshot saved) {
    ClientState c = clients.get(saved.clientId());
    if (c == null) {
      return new SessionSnapshot(saved.clientId(), saved.expirySeconds(), saved.subscriptions(), List.of(), List.of(),
          Set.of());
    }
    List<Pending> ordered = new ArrayList<>(c.messages.values());
    ordered.sort(Comparator.comparingLong(Pending::sequence));
    List<SessionSnapshot.InflightEntry> inflight = new ArrayList<>();
    List<Delivery> queued = new ArrayList<>();
    for (Pending p : ordered) {
      if (p.packetId() != 0) {
        inflight.add(new SessionSnapshot.InflightEntry(p.packetId(), p.delivery(), p.released()));
      } else {
        queued.add(p.delivery());
      }
    }
    return new SessionSnapshot(saved.clientId(), saved.expirySeconds(), saved.subscriptions(), inflight, queued,
        new LinkedHashSet<>(c.inbound));
  }
}
