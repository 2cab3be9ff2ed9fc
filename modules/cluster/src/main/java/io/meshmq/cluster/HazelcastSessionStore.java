package io.meshmq.cluster;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.partition.PartitionAware;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Persistent sessions in Hazelcast, so that they outlive the node that holds them: one entry per session
 * (subscriptions, expiry), one entry per QoS 1/2 message a session took and its client has not acknowledged
 * (written with its backup before the publisher is acknowledged; for QoS 2 also the packet id it went out
 * under and whether its PUBREC came), and one entry per inbound QoS 2 packet id held until PUBREL. All maps
 * have one synchronous backup. The entries of one client id share a partition ({@link EntryKey}), so a
 * survivor of a node's death rebuilds each of that node's sessions with a query of one partition.
 */
final class HazelcastSessionStore implements SessionStore {

  private static final byte[] PRESENT = new byte[0];

  /** A stored message: [sequence: 8][packet id, 0 = not sent: 4][released: 1][delivery]. */
  private static final int PACKET_ID_AT = 8;
  private static final int RELEASED_AT = 12;
  private static final int DELIVERY_AT = 13;

  private final Vertx vertx;
  private final IMap<String, byte[]> sessions;
  private final IMap<EntryKey, byte[]> messages;
  private final IMap<EntryKey, byte[]> inbound;

  HazelcastSessionStore(Vertx vertx, IMap<String, byte[]> sessions, IMap<EntryKey, byte[]> messages,
                        IMap<EntryKey, byte[]> inbound) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.messages = messages;
    this.inbound = inbound;
  }

  @Override
  public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
    Buffer b = Buffer.buffer(80 + delivery.message().payload().length);
    b.appendLong(sequence).appendInt(0).appendByte((byte) 0).appendBytes(SessionWire.encodeDelivery(delivery));
    return call(() -> messages.setAsync(key(clientId, delivery.message().id()), b.getBytes()));
  }

  @Override
  public Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
    return call(() -> messages.submitToKey(key(clientId, messageId), new MarkInFlight(packetId, released))).mapEmpty();
  }

  @Override
  public void messageDone(String clientId, long messageId) {
    call(() -> messages.deleteAsync(key(clientId, messageId)));
  }

  @Override
  public Future<Void> inboundHeld(String clientId, int packetId) {
    return call(() -> inbound.setAsync(key(clientId, packetId), PRESENT));
  }

  @Override
  public Future<Void> inboundReleased(String clientId, int packetId) {
    return call(() -> inbound.deleteAsync(key(clientId, packetId))).mapEmpty();
  }

  @Override
  public void sessionChanged(SessionSnapshot state) {
    call(() -> sessions.setAsync(state.clientId(), SessionWire.encode(state)));
  }

  @Override
  public void sessionEnded(String clientId) {
    call(() -> sessions.deleteAsync(clientId));
  }

  /**
   * A Hazelcast call whose instance has shut down throws at once instead of failing its future; a session task
   * (say, a client's detach while the node takes itself out of a cluster it lost) then stops halfway. Here it
   * fails the future instead: what waits for the write (a publisher's acknowledgement) does not get it.
   */
  private static <T> Future<T> call(Supplier<CompletionStage<T>> operation) {
    try {
      return Future.fromCompletionStage(operation.get());
    } catch (HazelcastInstanceNotActiveException e) {
      return Future.failedFuture(e);
    }
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
      List<SessionSnapshot> out = new ArrayList<>();
      for (String clientId : wanted) {
        byte[] meta = sessions.get(clientId);
        if (meta == null) {
          continue;
        }
        SessionSnapshot state = SessionWire.decode(meta);
        List<Stored> stored = new ArrayList<>();
        for (byte[] value : messages.values(ofClient(clientId))) {
          stored.add(Stored.decode(value));
        }
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
        for (EntryKey k : inbound.keySet(ofClient(clientId))) {
          inboundIds.add((int) k.id());
        }
        out.add(new SessionSnapshot(clientId, state.expirySeconds(), state.subscriptions(), inflight, queued, inboundIds));
      }
      return out;
    }, false);
  }

  private static EntryKey key(String clientId, long id) {
    return new EntryKey(clientId, id);
  }

  /**
   * Key of a message or QoS 2 id of a session. Its client id is its partition key, so one client's entries share
   * a partition. (Not Hazelcast's string partitioning: its per-map strategy is ignored by the async operations.)
   */
  record EntryKey(String clientId, long id) implements PartitionAware<String> {

    @Override
    public String getPartitionKey() {
      return clientId;
    }
  }

  /** The entries of one client id, looked for in its partition only. */
  private static Predicate<EntryKey, byte[]> ofClient(String clientId) {
    return Predicates.partitionPredicate(clientId, new OfClient(clientId));
  }

  /** Keys of one client id (a partition holds other clients' entries too). */
  static final class OfClient implements Predicate<EntryKey, byte[]> {

    private static final long serialVersionUID = 1L;

    private final String clientId;

    OfClient(String clientId) {
      this.clientId = clientId;
    }

    @Override
    public boolean apply(Map.Entry<EntryKey, byte[]> entry) {
      return entry.getKey().clientId().equals(clientId);
    }
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
  static final class MarkInFlight implements EntryProcessor<EntryKey, byte[], Boolean>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int packetId;
    private final boolean released;

    MarkInFlight(int packetId, boolean released) {
      this.packetId = packetId;
      this.released = released;
    }

    @Override
    public Boolean process(Map.Entry<EntryKey, byte[]> entry) {
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
