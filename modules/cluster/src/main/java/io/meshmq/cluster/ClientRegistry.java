package io.meshmq.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node holds each client id: a Hazelcast map, claimed atomically by a put that returns the previous holder.
 * Its values are {@link ClientClaim}s (node and claim time), so that a healed split brain keeps the later claim.
 */
final class ClientRegistry {

  private static final Logger log = LoggerFactory.getLogger(ClientRegistry.class);

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final String self;
  /** Local client ids the last check found missing from the registry. */
  private final Set<String> missing = ConcurrentHashMap.newKeySet();

  ClientRegistry(Vertx vertx, IMap<String, String> map, String self) {
    this.vertx = vertx;
    this.map = map;
    this.self = self;
  }

  /**
   * Records this node as the holder; the future gives the previous holder (null if none). When Hazelcast cannot tell
   * whether the put happened, the entry is read back: if it is this claim, the put happened but who held the id
   * before is lost ({@link PreviousHolderUnknown}); if not, the put is made again.
   */
  Future<String> claim(String clientId) {
    return claim(clientId, ClientClaim.now(self), vertx.getOrCreateContext(), 1);
  }

  private Future<String> claim(String clientId, String mine, Context context, int attempt) {
    return Future.fromCompletionStage(map.putAsync(clientId, mine), context).map(ClientClaim::node).recover(e -> {
      if (attempt >= MaybeWritten.ATTEMPTS || !MaybeWritten.isIndeterminate(e)) {
        return Future.failedFuture(e);
      }
      return Future.fromCompletionStage(map.getAsync(clientId), context).compose(now -> mine.equals(now)
          ? Future.failedFuture(new PreviousHolderUnknown(clientId))
          : claim(clientId, mine, context, attempt + 1));
    });
  }

  /** The claim is recorded, but Hazelcast lost the answer saying who held the client id before. */
  static final class PreviousHolderUnknown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PreviousHolderUnknown(String clientId) {
      super("client id " + clientId + " claimed, its previous holder unknown", null, false, false);
    }
  }

  /** Records this node as the holder without asking anyone (a session re-homed here). */
  Future<Void> record(String clientId) {
    String claim = ClientClaim.now(self);
    return Future.fromCompletionStage(MaybeWritten.again(() -> map.setAsync(clientId, claim)).toCompletionStage(),
        vertx.getOrCreateContext());
  }

  /** The node that holds the client id now (null if none). */
  Future<String> holder(String clientId) {
    return Future.fromCompletionStage(map.getAsync(clientId), vertx.getOrCreateContext()).map(ClientClaim::node);
  }

  /** Forgets the client id unless another node claimed it meanwhile (a conditional remove of the value read). */
  void release(String clientId) {
    vertx.executeBlocking(() -> {
      String claim = map.get(clientId);
      return claim != null && self.equals(ClientClaim.node(claim)) && MaybeWritten.removeIfSame(map, clientId, claim);
    }, false);
  }

  /**
   * Of the given locally connected client ids, those the registry now gives to another node (after a split
   * brain healed, the latest claim won). An id missing from the registry (lost with a partition) is claimed
   * again for this node, but only when the next check still misses it: right after a merge, Hazelcast may still
   * be applying the other side's entries, and a claim made then would be newer than the other side's and win.
   */
  Future<List<String>> claimedElsewhere(java.util.Collection<String> local, java.util.function.Predicate<String> isMember) {
    return vertx.executeBlocking(() -> {
      List<String> lost = new ArrayList<>();
      for (String id : local) {
        String holder = ClientClaim.node(map.get(id));
        if (holder == null) {
          if (!missing.add(id)) {
            missing.remove(id);
            log.info("Client id {} connected here was missing from the cluster registry twice: claiming it again", id);
            String claim = ClientClaim.now(self);
            MaybeWritten.againBlocking(() -> map.set(id, claim));
          }
          continue;
        }
        missing.remove(id);
        if (!holder.equals(self) && isMember.test(holder)) {
          lost.add(id);
        }
      }
      missing.retainAll(new java.util.HashSet<>(local));
      return lost;
    }, false);
  }

  /** Client ids a departed node held, removed from the registry (done by one survivor). */
  Future<List<String>> purgeNode(String node) {
    return vertx.executeBlocking(() -> {
      List<String> ids = new ArrayList<>();
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (node.equals(ClientClaim.node(e.getValue())) && MaybeWritten.removeIfSame(map, e.getKey(), e.getValue())) {
          ids.add(e.getKey());
        }
      }
      return ids;
    }, false);
  }
}
