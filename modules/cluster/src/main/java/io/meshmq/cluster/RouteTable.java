package io.meshmq.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.MapClearedListener;
import io.meshmq.core.topic.TopicTrie;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster route table: (node, filter) for every filter that has at least one subscriber on that node.
 * The source of truth is a Hazelcast map (one synchronous backup); each node mirrors the other nodes'
 * routes into a local trie through entry events, so a publish decides its target nodes with no remote call.
 * Because an event can be missed (a member joining, a partition healing), the mirror is rebuilt from the map
 * at start and by periodic reconciliation, and each node re-asserts its own routes then.
 */
final class RouteTable {

  private static final Logger log = LoggerFactory.getLogger(RouteTable.class);
  private static final char SEPARATOR = '\u0000';

  private final Vertx vertx;
  private final IMap<String, Boolean> map;
  private final String self;
  private final TopicTrie<String, Boolean> remote = new TopicTrie<>();
  private final Set<String> ownFilters = ConcurrentHashMap.newKeySet();
  private UUID listener;

  RouteTable(Vertx vertx, IMap<String, Boolean> map, String self) {
    this.vertx = vertx;
    this.map = map;
    this.self = self;
  }

  /** Subscribes to changes, then loads the whole table; completes when the mirror is complete. */
  Future<Void> start() {
    listener = map.addEntryListener(new Mirror(), false);
    return reconcile();
  }

  void stop() {
    if (listener != null) {
      map.removeEntryListener(listener);
    }
  }

  Future<Void> add(String filter) {
    ownFilters.add(filter);
    return Future.fromCompletionStage(map.setAsync(key(self, filter), Boolean.TRUE));
  }

  void remove(String filter) {
    ownFilters.remove(filter);
    map.deleteAsync(key(self, filter));
  }

  /** The other nodes that have a route matching the topic. */
  Set<String> remoteNodes(String topic) {
    Set<String> nodes = new HashSet<>(4);
    remote.matchEntries(topic, (filter, node, v) -> nodes.add(node));
    return nodes;
  }

  int remoteRouteCount() {
    return remote.size();
  }

  /** Forgets a departed node's routes locally, at once (membership event). */
  void dropNode(String node) {
    List<String> filters = new ArrayList<>();
    remote.forEach((filter, n, v) -> {
      if (n.equals(node)) {
        filters.add(filter);
      }
    });
    filters.forEach(f -> remote.remove(f, node));
    log.info("Dropped {} routes of departed node {}", filters.size(), node);
  }

  /** Removes a departed node's routes from the cluster table (done by one survivor). */
  Future<Void> purgeNode(String node) {
    return vertx.executeBlocking(() -> {
      int n = 0;
      for (String k : map.keySet()) {
        if (k.startsWith(node + SEPARATOR)) {
          map.delete(k);
          n++;
        }
      }
      log.info("Removed {} routes of departed node {} from the cluster table", n, node);
      return null;
    }, false);
  }

  /**
   * Rebuilds the mirror from the map and re-asserts this node's own routes (which a split brain or a lost
   * partition may have dropped). Blocking map reads run off the event loop.
   */
  Future<Void> reconcile() {
    return vertx.executeBlocking(() -> {
      Set<String> seen = new HashSet<>();
      for (String k : map.keySet()) {
        int sep = k.indexOf(SEPARATOR);
        String node = k.substring(0, sep);
        String filter = k.substring(sep + 1);
        if (node.equals(self)) {
          continue;
        }
        seen.add(k);
        remote.put(filter, node, Boolean.TRUE);
      }
      List<String[]> stale = new ArrayList<>();
      remote.forEach((filter, node, v) -> {
        if (!seen.contains(key(node, filter))) {
          stale.add(new String[] {filter, node});
        }
      });
      stale.forEach(s -> remote.remove(s[0], s[1]));
      for (String f : ownFilters) {
        if (!map.containsKey(key(self, f))) {
          map.set(key(self, f), Boolean.TRUE);
        }
      }
      return null;
    }, false);
  }

  private static String key(String node, String filter) {
    return node + SEPARATOR + filter;
  }

  /** Applies other nodes' route changes to the local trie (Hazelcast event threads; the trie is thread-safe). */
  private final class Mirror implements EntryAddedListener<String, Boolean>, EntryRemovedListener<String, Boolean>,
      EntryEvictedListener<String, Boolean>, EntryExpiredListener<String, Boolean>, MapClearedListener {

    @Override
    public void entryAdded(EntryEvent<String, Boolean> e) {
      apply(e.getKey(), true);
    }

    @Override
    public void entryRemoved(EntryEvent<String, Boolean> e) {
      apply(e.getKey(), false);
    }

    @Override
    public void entryEvicted(EntryEvent<String, Boolean> e) {
      apply(e.getKey(), false);
    }

    @Override
    public void entryExpired(EntryEvent<String, Boolean> e) {
      apply(e.getKey(), false);
    }

    @Override
    public void mapCleared(MapEvent event) {
      reconcile();
    }

    private void apply(String key, boolean added) {
      int sep = key.indexOf(SEPARATOR);
      String node = key.substring(0, sep);
      if (node.equals(self)) {
        return;
      }
      String filter = key.substring(sep + 1);
      if (added) {
        remote.put(filter, node, Boolean.TRUE);
      } else {
        remote.remove(filter, node);
      }
    }
  }
}
