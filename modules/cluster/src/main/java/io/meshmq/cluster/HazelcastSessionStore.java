package io.meshmq.cluster;

import com.hazelcast.map.IMap;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.broker.session.SessionStore;
import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * (subscriptions, expiry, inbound QoS 2 ids) and one entry per QoS 1/2 message a session took and its client
 * has not acknowledged, written with its backup before the publisher is acknowledged. Both maps have one
 * synchronous backup. A survivor of a node's death rebuilds that node's sessions from here.
 */
final class HazelcastSessionStore implements SessionStore {

  private static final char SEPARATOR = '\u0000';

  private final Vertx vertx;
  private final IMap<String, byte[]> sessions;
  private final IMap<String, byte[]> messages;

  HazelcastSessionStore(Vertx vertx, IMap<String, byte[]> sessions, IMap<String, byte[]> messages) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.messages = messages;
  }

  @Override
  public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
    Buffer b = Buffer.buffer(80 + delivery.message().payload().length);
    b.appendLong(sequence).appendBytes(SessionWire.encodeDelivery(delivery));
    return Future.fromCompletionStage(messages.setAsync(key(clientId, delivery.message().id()), b.getBytes()));
  }

  @Override
  public void messageDone(String clientId, long messageId) {
    messages.deleteAsync(key(clientId, messageId));
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
   * The stored sessions of these client ids, each with its unacknowledged messages as its queue, in the order
   * the session took them. The entries are left in place: the node that adopts a session owns them now.
   */
  Future<List<SessionSnapshot>> load(Collection<String> clientIds) {
    Set<String> wanted = new HashSet<>(clientIds);
    return vertx.executeBlocking(() -> {
      Map<String, List<long[]>> order = new HashMap<>();
      Map<String, Map<Long, Delivery>> byClient = new HashMap<>();
      for (Map.Entry<String, byte[]> e : messages.entrySet()) {
        String k = e.getKey();
        String clientId = k.substring(0, k.indexOf(SEPARATOR));
        if (!wanted.contains(clientId)) {
          continue;
        }
        Buffer b = Buffer.buffer(e.getValue());
        long sequence = b.getLong(0);
        Delivery d = SessionWire.decodeDelivery(b.getBytes(8, b.length()));
        order.computeIfAbsent(clientId, c -> new ArrayList<>()).add(new long[] {sequence, d.message().id()});
        byClient.computeIfAbsent(clientId, c -> new HashMap<>()).put(d.message().id(), d);
      }
      List<SessionSnapshot> out = new ArrayList<>();
      for (String clientId : wanted) {
        byte[] meta = sessions.get(clientId);
        if (meta == null) {
          continue;
        }
        SessionSnapshot state = SessionWire.decode(meta);
        List<Delivery> queued = new ArrayList<>();
        List<long[]> seq = order.getOrDefault(clientId, List.of());
        seq.sort(Comparator.comparingLong(x -> x[0]));
        for (long[] s : seq) {
          queued.add(byClient.get(clientId).get(s[1]));
        }
        out.add(new SessionSnapshot(clientId, state.expirySeconds(), state.subscriptions(), List.of(), queued,
            state.inboundQos2()));
      }
      return out;
    }, false);
  }

  private static String key(String clientId, long messageId) {
    return clientId + SEPARATOR + Long.toHexString(messageId);
  }
}
