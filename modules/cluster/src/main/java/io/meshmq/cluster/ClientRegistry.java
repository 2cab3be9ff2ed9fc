package io.meshmq.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which node holds each client id: a Hazelcast map, claimed atomically by a put that returns the previous holder. */
final class ClientRegistry {

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final String self;

  ClientRegistry(Vertx vertx, IMap<String, String> map, String self) {
    this.vertx = vertx;
    this.map = map;
    this.self = self;
  }

  /** Records this node as the holder; the future gives the previous holder (null if none). */
  Future<String> claim(String clientId) {
    return Future.fromCompletionStage(map.putAsync(clientId, self), vertx.getOrCreateContext());
  }

  /** Records this node as the holder without asking anyone (a session re-homed here). */
  void record(String clientId) {
    map.setAsync(clientId, self);
  }

  /** The node that holds the client id now (null if none). */
  Future<String> holder(String clientId) {
    return Future.fromCompletionStage(map.getAsync(clientId), vertx.getOrCreateContext());
  }

  /** Forgets the client id unless another node claimed it meanwhile. */
  void release(String clientId) {
    vertx.executeBlocking(() -> map.remove(clientId, self), false);
  }

  /**
   * Of the given locally connected client ids, those the registry now gives to another node (after a split
   * brain healed, the latest claim won); ids it lost altogether are claimed again for this node.
   */
  Future<List<String>> claimedElsewhere(java.util.Collection<String> local, java.util.function.Predicate<String> isMember) {
    return vertx.executeBlocking(() -> {
      List<String> lost = new ArrayList<>();
      for (String id : local) {
        String holder = map.get(id);
        if (holder == null) {
          map.set(id, self);
        } else if (!holder.equals(self) && isMember.test(holder)) {
          lost.add(id);
        }
      }
      return lost;
    }, false);
  }

  /** Client ids a departed node held, removed from the registry (done by one survivor). */
  Future<List<String>> purgeNode(String node) {
    return vertx.executeBlocking(() -> {
      List<String> ids = new ArrayList<>();
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (node.equals(e.getValue()) && map.remove(e.getKey(), node)) {
          ids.add(e.getKey());
        }
      }
      return ids;
    }, false);
  }
}
