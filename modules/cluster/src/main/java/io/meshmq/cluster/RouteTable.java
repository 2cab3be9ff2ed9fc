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
import java.util.Map;
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
  /** Other nodes' shared groups: filter -> (group + node) -> the pair, for one-delivery-per-group choices. */
  private final TopicTrie<String, SharedRoute> remoteShared = new TopicTrie<>();
  private final Set<String> ownFilters = ConcurrentHashMap.newKeySet();
  /**
   * Routes of nodes that died and whose sessions are being recovered by a survivor: a message matching one waits
   * (see Forwarder) until the recovery re-created the routes elsewhere, or the failover time is over.
   */
  private final TopicTrie<String, Boolean> orphaned = new TopicTrie<>();
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
    return MaybeWritten.again(() -> map.setAsync(key(self, filter), Boolean.TRUE));
  }

  void remove(String filter) {
    ownFilters.remove(filter);
    MaybeWritten.again(() -> map.deleteAsync(key(self, filter)));
  }

  /** A shared group with members on a node. */
  record SharedRoute(String group, String node) {
  }

  /** Visits the other nodes' shared groups whose filter matches the topic. */
  void matchShared(String topic, io.meshmq.broker.routing.ClusterLink.RemoteSharedVisitor visitor) {
    remoteShared.matchEntries(topic, (filter, key, route) -> visitor.visit(route.group(), filter, route.node()));
  }

  /** The other nodes that have a route matching the topic. */
  Set<String> remoteNodes(String topic) {
    Set<String> nodes = new HashSet<>(4);
    remote.matchEntries(topic, (filter, node, v) -> nodes.add(node));
    return nodes;
  }

  /**
   * The routes as this node sees them: route key (a filter, or {@code $share/group/filter}) -> the nodes that have
   * it, this node's own included. Read from the local mirror, not from Hazelcast.
   */
  Map<String, java.util.SortedSet<String>> snapshot() {
    Map<String, java.util.SortedSet<String>> out = new java.util.TreeMap<>();
    remote.forEach((filter, node, v) -> out.computeIfAbsent(filter, f -> new java.util.TreeSet<>()).add(node));
    remoteShared.forEach((filter, k, route) -> out.computeIfAbsent("$share/" + route.group() + "/" + filter,
        f -> new java.util.TreeSet<>()).add(route.node()));
    for (String f : ownFilters) {
      out.computeIfAbsent(f, x -> new java.util.TreeSet<>()).add(self);
    }
    return out;
  }

  int remoteRouteCount() {
    return remote.size() + remoteShared.size();
  }

  /**
   * Forgets a departed node's routes locally, at once (membership event); they stay as orphaned routes until
   * its sessions are recovered elsewhere, or {@code orphanMillis} at most.
   */
  void dropNode(String node, long orphanMillis) {
    vertx.setTimer(Math.max(1, orphanMillis), id -> orphansRecovered(node, Map.of()));
    dropNode(node);
  }

  private void dropNode(String node) {
    List<String> filters = new ArrayList<>();
    remote.forEach((filter, n, v) -> {
      if (n.equals(node)) {
        filters.add(filter);
      }
    });
    filters.forEach(f -> {
      remote.remove(f, node);
      orphaned.put(f, node, Boolean.TRUE);
    });
    List<String[]> shared = new ArrayList<>();
    remoteShared.forEach((filter, key, route) -> {
      if (route.node().equals(node)) {
        shared.add(new String[] {filter, key});
      }
    });
    shared.forEach(e -> remoteShared.remove(e[0], e[1]));
    log.info("Dropped {} routes of departed node {}", filters.size() + shared.size(), node);
  }

  boolean hasOrphans() {
    return !orphaned.isEmpty();
  }

  boolean matchesOrphans(String topic) {
    boolean[] any = {false};
    orphaned.match(topic, v -> any[0] = true);
    return any[0];
  }

  /** The departed nodes whose orphaned routes match the topic. */
  Set<String> orphanNodes(String topic) {
    Set<String> nodes = new HashSet<>(2);
    orphaned.matchEntries(topic, (filter, node, v) -> nodes.add(node));
    return nodes;
  }

  /**
   * The sessions of a departed node are recovered: its orphaned routes go. The routes the recovery created are
   * mirrored first (entry events may come later), so that waiting messages find them.
   */
  void orphansRecovered(String node, Map<String, List<String>> recreatedByNode) {
    recreatedByNode.forEach((n, filters) -> {
      if (!n.equals(self)) {
        filters.forEach(f -> mirror(n, f, true));
      }
    });
    List<String> mine = new ArrayList<>();
    orphaned.forEach((filter, n, v) -> {
      if (n.equals(node)) {
        mine.add(filter);
      }
    });
    mine.forEach(f -> orphaned.remove(f, node));
  }

  /** Removes a departed node's routes from the cluster table (done by one survivor). */
  Future<Void> purgeNode(String node) {
    return vertx.executeBlocking(() -> {
      int n = 0;
      for (String k : map.keySet()) {
        if (k.startsWith(node + SEPARATOR)) {
          MaybeWritten.againBlocking(() -> map.delete(k));
          n++;
        }
      }
      log.info("Removed {} routes of departed node {} from the cluster table", n, node);
      return null;
    }, false);
  }

  /**
   * Rebuilds the mirror from the map, re-asserts this node's own routes (which a split brain or a lost
   * partition may have dropped) and removes own routes it no longer has (which a merge may have brought
   * back). Blocking map reads run off the event loop.
   */
  Future<Void> reconcile() {
    return vertx.executeBlocking(() -> {
      Set<String> seen = new HashSet<>();
      for (String k : map.keySet()) {
        int sep = k.indexOf(SEPARATOR);
        String node = k.substring(0, sep);
        String filter = k.substring(sep + 1);
        if (node.equals(self)) {
          if (!ownFilters.contains(filter)) {
            // A route this node dropped while the cluster was split, brought back by the merge.
            MaybeWritten.againBlocking(() -> map.delete(k));
          }
          continue;
        }
        seen.add(k);
        mirror(node, filter, true);
      }
      // A mirrored route missing from the key set is dropped only when a read of its own key confirms it: an entry
      // event may have added it after the key set was taken, and a route wrongly dropped here silently stops the
      // forwarding of every matching message until the next round.
      List<String[]> stale = new ArrayList<>();
      remote.forEach((filter, node, v) -> {
        if (!seen.contains(key(node, filter)) && !map.containsKey(key(node, filter))) {
          stale.add(new String[] {filter, node});
        }
      });
      stale.forEach(s -> remote.remove(s[0], s[1]));
      List<String[]> staleShared = new ArrayList<>();
      remoteShared.forEach((filter, k, route) -> {
        String routeKey = key(route.node(), "$share/" + route.group() + "/" + filter);
        if (!seen.contains(routeKey) && !map.containsKey(routeKey)) {
          staleShared.add(new String[] {filter, k});
        }
      });
      staleShared.forEach(s -> remoteShared.remove(s[0], s[1]));
      if (!stale.isEmpty() || !staleShared.isEmpty()) {
        log.info("Reconciliation dropped {} mirrored routes no longer in the cluster table", stale.size() + staleShared.size());
      }
      for (String f : ownFilters) {
        if (!map.containsKey(key(self, f))) {
          MaybeWritten.againBlocking(() -> map.set(key(self, f), Boolean.TRUE));
        }
      }
      return null;
    }, false);
  }

  /** Applies one route of another node to the local mirror: an ordinary filter, or a shared group. */
  private void mirror(String node, String routeKey, boolean added) {
    io.meshmq.core.topic.SharedSubscription shared = io.meshmq.core.topic.SharedSubscription.isShared(routeKey)
        ? io.meshmq.core.topic.SharedSubscription.parse(routeKey) : null;
    if (shared == null) {
      if (added) {
        remote.put(routeKey, node, Boolean.TRUE);
      } else {
        remote.remove(routeKey, node);
      }
    } else if (added) {
      remoteShared.put(shared.filter(), shared.group() + SEPARATOR + node, new SharedRoute(shared.group(), node));
    } else {
      remoteShared.remove(shared.filter(), shared.group() + SEPARATOR + node);
    }
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
      mirror(node, key.substring(sep + 1), added);
    }
  }
}
