package io.meshmq.core.topic;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Subscriptions indexed by topic filter: for each filter, a map of key (typically a client or session id) to
 * value (typically the subscription options). {@link #match} finds every entry whose filter matches a topic name.
 *
 * <p>Concurrency: reads ({@link #match}, {@link #matchEntries}, {@link #get}, {@link #forEach}) take no lock and
 * may run on many threads while writes happen; they see each entry either before or after a concurrent write
 * (per-entry atomicity, like {@link ConcurrentHashMap}'s weakly consistent views), never a torn node. Writes
 * ({@link #put}, {@link #remove}) are serialized on an internal lock, so pruning a node that became empty cannot
 * race with a put that is about to reuse it.
 *
 * <p>Filters must be valid (see {@link TopicRules}) and plain: store a shared subscription under its inner
 * {@link SharedSubscription#filter()}.
 */
public final class TopicTrie<K, V> {

  private final Object writeLock = new Object();
  private final TrieNode<K, V> root = new TrieNode<>(null, null);
  // Written only under writeLock; volatile so that readers on other threads see current counts.
  private volatile int filterCount;
  private volatile int size;

  /**
   * Stores {@code value} for {@code key} under {@code filter}.
   *
   * @return the value previously stored for that key under that filter, or {@code null}
   * @throws IllegalArgumentException if {@code filter} is not a valid plain topic filter
   */
  public V put(String filter, K key, V value) {
    requirePlainFilter(filter);
    if (key == null || value == null) {
      throw new NullPointerException("key and value must not be null");
    }
    synchronized (writeLock) {
      TrieNode<K, V> node = root;
      int start = 0;
      while (true) {
        int end = levelEnd(filter, start);
        node = node.getOrCreateChild(filter.substring(start, end));
        if (end == filter.length()) {
          break;
        }
        start = end + 1;
      }
      ConcurrentHashMap<K, V> values = node.values;
      if (values == null) {
        values = new ConcurrentHashMap<>(2);
        // Plain write made visible to readers by the volatile write of values that follows.
        node.filter = filter;
        node.values = values;
      }
      V previous = values.put(key, value);
      if (previous == null) {
        size++;
        if (values.size() == 1) {
          filterCount++;
        }
      }
      return previous;
    }
  }

  /** Removes the entry for {@code key} under {@code filter}; returns its value, or {@code null} if absent. */
  public V remove(String filter, K key) {
    synchronized (writeLock) {
      TrieNode<K, V> node = find(filter);
      if (node == null || node.values == null) {
        return null;
      }
      V removed = node.values.remove(key);
      if (removed == null) {
        return null;
      }
      size--;
      if (node.values.isEmpty()) {
        filterCount--;
        // A reader may still iterate the old, now empty, map: harmless.
        node.values = null;
        prune(node);
      }
      return removed;
    }
  }

  public V get(String filter, K key) {
    TrieNode<K, V> node = find(filter);
    Map<K, V> values = node == null ? null : node.values;
    return values == null ? null : values.get(key);
  }

  /** Visits the value of every entry whose filter matches {@code topicName}, once per matching filter. */
  public void match(String topicName, Consumer<? super V> visitor) {
    walk(root, topicName, 0, (filter, values) -> values.values().forEach(visitor));
  }

  /** Like {@link #match}, but also hands over the filter and key of each matching entry. */
  public void matchEntries(String topicName, MatchVisitor<K, V> visitor) {
    walk(root, topicName, 0, (filter, values) -> values.forEach((k, v) -> visitor.visit(filter, k, v)));
  }

  /** Visits every entry, in no particular order. */
  public void forEach(MatchVisitor<K, V> visitor) {
    ArrayDeque<TrieNode<K, V>> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      TrieNode<K, V> node = pending.pop();
      Map<K, V> values = node.values;
      if (values != null) {
        // Read after values: the volatile read is what guarantees a filter set by the writer is visible.
        String filter = node.filter;
        values.forEach((k, v) -> visitor.visit(filter, k, v));
      }
      node.forEachChild(pending::push);
    }
  }

  /** Number of filters with at least one entry. */
  public int filterCount() {
    return filterCount;
  }

  /** Number of key/value entries over all filters. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Number of nodes below the root; lets tests check that removal prunes. */
  int nodeCount() {
    int count = -1;
    ArrayDeque<TrieNode<K, V>> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      count++;
      pending.pop().forEachChild(pending::push);
    }
    return count;
  }

  /** Receives the entries of one matching node. */
  private interface NodeSink<K, V> {
    void accept(String filter, Map<K, V> values);
  }

  /**
   * Matches the levels of {@code topic} from index {@code start} (the beginning of a level) against the children
   * of {@code node}. Follows the literal child in a loop and recurses only into '+' branches, so the stack depth is
   * bounded by the number of '+' levels in the stored filters rather than by the length of the topic.
   */
  private static <K, V> void walk(TrieNode<K, V> node, String topic, int start, NodeSink<K, V> sink) {
    // 4.7.2: a leading wildcard does not match topics that start with '$'.
    boolean wildcardsApply = start > 0 || topic.isEmpty() || topic.charAt(0) != '$';
    while (true) {
      if (wildcardsApply) {
        // '#' matches this level and everything after it.
        emit(node.hash, sink);
      }
      int end = levelEnd(topic, start);
      boolean last = end == topic.length();
      if (wildcardsApply) {
        TrieNode<K, V> plus = node.plus;
        if (plus != null) {
          if (last) {
            emitWithParentHash(plus, sink);
          } else {
            walk(plus, topic, end + 1, sink);
          }
        }
      }
      TrieNode<K, V> child = node.literalChild(topic, start, end);
      if (child == null) {
        return;
      }
      if (last) {
        emitWithParentHash(child, sink);
        return;
      }
      node = child;
      start = end + 1;
      wildcardsApply = true;
    }
  }

  /** The topic ends at {@code node}: its own entries match, and so do those of "{node}/#" (the parent rule). */
  private static <K, V> void emitWithParentHash(TrieNode<K, V> node, NodeSink<K, V> sink) {
    emit(node, sink);
    emit(node.hash, sink);
  }

  private static <K, V> void emit(TrieNode<K, V> node, NodeSink<K, V> sink) {
    if (node != null) {
      Map<K, V> values = node.values;
      if (values != null) {
        sink.accept(node.filter, values);
      }
    }
  }

  private TrieNode<K, V> find(String filter) {
    TrieNode<K, V> node = root;
    int start = 0;
    while (node != null) {
      int end = levelEnd(filter, start);
      node = node.child(filter, start, end);
      if (end == filter.length()) {
        return node;
      }
      start = end + 1;
    }
    return null;
  }

  /** Detaches {@code node} and then each ancestor that is left without entries and children. */
  private void prune(TrieNode<K, V> node) {
    while (node != root && node.isUnused()) {
      node.parent.detach(node);
      node = node.parent;
    }
  }

  static int levelEnd(String s, int start) {
    int slash = s.indexOf('/', start);
    return slash < 0 ? s.length() : slash;
  }

  private static void requirePlainFilter(String filter) {
    String problem = TopicRules.UNLIMITED.checkFilter(filter);
    if (problem == null && SharedSubscription.isShared(filter)) {
      problem = "shared subscription; store its inner filter";
    }
    if (problem != null) {
      throw new IllegalArgumentException("invalid topic filter '" + filter + "': " + problem);
    }
  }
}
