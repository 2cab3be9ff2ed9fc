package io.meshmq.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.session.SessionStore;
import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Persistent sessions in Hazelcast, so that they outlive the node that holds them: one entry per session
 * (subscriptions, expiry), one entry per QoS 1/2 message a session took and its client has not acknowledged
 * (written with its backup before the publisher is acknowledged; for QoS 2 also the packet id it went out
 * under and whether its PUBREC came), and one entry per inbound QoS 2 packet id held until PUBREL. All maps
 * have one synchronous backup. A survivor of a node's death rebuilds that node's sessions from here.
 */
final class HazelcastSessionStore implements SessionStore {

  private static final char SEPARATOR = '\u0000';
  private static final byte[] PRESENT = new byte[0];

  /** A stored message: [sequence: 8][packet id, 0 = not sent: 4][released: 1][delivery]. */
  private static final int PACKET_ID_AT = 8;
  private static final int RELEASED_AT = 12;
  private static final int DELIVERY_AT = 13;

  private final Vertx vertx;
  private final IMap<String, byte[]> sessions;
  private final IMap<String, byte[]> messages;
  private final IMap<String, byte[]> inbound;

  HazelcastSessionStore(Vertx vertx, IMap<String, byte[]> sessions, IMap<String, byte[]> messages,
                        IMap<String, byte[]> inbound) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.messages = messages;
    this.inbound = inbound;
  }

  @Override
  public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
    Buffer b = Buffer.buffer(80 + delivery.message().payload().length);
    b.appendLong(sequence).appendInt(0).appendByte((byte) 0).appendBytes(SessionWire.encodeDelivery(delivery));
    return Future.fromCompletionStage(messages.setAsync(key(clientId, delivery.message().id()), b.getBytes()));
  }

  @Override
  public Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
    return Future.fromCompletionStage(messages.submitToKey(key(clientId, messageId), new MarkInFlight(packetId, released)))
        .mapEmpty();
  }

  @Override
  public void messageDone(String clientId, long messageId) {
    messages.deleteAsync(key(clientId, messageId));
  }

  @Override
  public Future<Void> inboundHeld(String clientId, int packetId) {
    return Future.fromCompletionStage(inbound.setAsync(key(clientId, packetId), PRESENT));
  }

  @Override
  public Future<Void> inboundReleased(String clientId, int packetId) {
    return Future.fromCompletionStage(inbound.deleteAsync(key(clientId, packetId))).mapEmpty();
  }

  @Override
  public void sessionChanged(SessionSnapshot state) {
    sessions.setAsync(state.clientId(), SessionWire.encode(state));
  }

  @Override
  public void sessionEnded(String clientId) {
    sessions.deleteAsync(clientId);
  }

  /**
   * The stored sessions of these client ids: the QoS 2 messages that went out under a packet id back in flight
   * under that id, the other unacknowledged messages as the queue, both in the order the session took them,
   * and the inbound QoS 2 ids still held. The entries are left in place: the node that adopts a session owns
   * them now.
   */
  Future<List<SessionSnapshot>> load(Collection<String> clientIds) {
    Set<String> wanted = new HashSet<>(clientIds);
    return vertx.executeBlocking(() -> {
      Map<String, List<Stored>> byClient = new HashMap<>();
      for (Map.Entry<String, byte[]> e : messages.entrySet()) {
        String clientId = clientOf(e.getKey());
        if (wanted.contains(clientId)) {
          byClient.computeIfAbsent(clientId, c -> new ArrayList<>()).add(Stored.decode(e.getValue()));
        }
      }
      Map<String, Set<Integer>> held = new HashMap<>();
      for (String k : inbound.keySet()) {
        String clientId = clientOf(k);
        if (wanted.contains(clientId)) {
          held.computeIfAbsent(clientId, c -> new HashSet<>()).add(Integer.parseInt(k.substring(k.indexOf(SEPARATOR) + 1), 16));
        }
      }
      List<SessionSnapshot> out = new ArrayList<>();
      for (String clientId : wanted) {
        byte[] meta = sessions.get(clientId);
        if (meta == null) {
          continue;
        }
        SessionSnapshot state = SessionWire.decode(meta);
        List<Stored> stored = byClient.getOrDefault(clientId, new ArrayList<>());
        stored.sort(Comparator.comparingLong(Stored::sequence));
        List<SessionSnapshot.InflightEntry> inflight = new ArrayList<>();
        List<Delivery> queued = new ArrayList<>();
        for (Stored s : stored) {
          if (s.packetId() != 0) {
            inflight.add(new SessionSnapshot.InflightEntry(s.packetId(), s.delivery(), s.released()));
          } else {
            queued.add(s.delivery());
          }
        }
        Set<Integer> inboundIds = new HashSet<>(state.inboundQos2());
        inboundIds.addAll(held.getOrDefault(clientId, Set.of()));
        out.add(new SessionSnapshot(clientId, state.expirySeconds(), state.subscriptions(), inflight, queued, inboundIds));
      }
      return out;
    }, false);
  }

  private static String clientOf(String key) {
    return key.substring(0, key.indexOf(SEPARATOR));
  }

  private static String key(String clientId, long id) {
    return clientId + SEPARATOR + Long.toHexString(id);
  }

  private record Stored(long sequence, int packetId, boolean released, Delivery delivery) {

    static Stored decode(byte[] value) {
      ByteBuffer b = ByteBuffer.wrap(value);
      byte[] delivery = new byte[value.length - DELIVERY_AT];
      b.position(DELIVERY_AT);
      b.get(delivery);
      return new Stored(b.getLong(0), b.getInt(PACKET_ID_AT), b.get(RELEASED_AT) != 0, SessionWire.decodeDelivery(delivery));
    }
  }

  /**
   * Sets the packet id and PUBREC state of a stored message in place, on the member that owns it and on its
   * backup; a message already acknowledged (entry gone) stays gone.
   */
  static final class MarkInFlight implements EntryProcessor<String, byte[], Boolean>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int packetId;
    private final boolean released;

    MarkInFlight(int packetId, boolean released) {
      this.packetId = packetId;
      this.released = released;
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      byte[] value = entry.getValue();
      if (value == null) {
        return false;
      }
      byte[] marked = value.clone();
      ByteBuffer.wrap(marked).putInt(PACKET_ID_AT, packetId).put(RELEASED_AT, (byte) (released ? 1 : 0));
      entry.setValue(marked);
      return true;
    }
  }
}
