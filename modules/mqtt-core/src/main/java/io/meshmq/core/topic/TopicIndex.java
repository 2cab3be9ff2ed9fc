package io.meshmq.core.topic;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Values indexed by concrete topic name and looked up by topic filter: the inverse of {@link TopicTrie}, used for
 * retained messages, where a new subscription must find every stored topic its filter matches.
 *
 * <p>Concurrency: same contract as {@link TopicTrie}. Reads take no lock and may run during writes; writes are
 * serialized on an internal lock, which is what makes pruning empty nodes safe against a concurrent put.
 */
public final class TopicIndex<V> {

  private final Object writeLock = new Object();
  private final Node<V> root = new Node<>(null, null);
  // Written only under writeLock; volatile for readers on other threads.
  private volatile int size;

  /**
   * Stores {@code value} under {@code topicName}.
   *
   * @return the previous value, or {@code null}
   * @throws IllegalArgumentException if {@code topicName} is not a valid topic name
   */
  public V put(String topicName, V value) {
    String problem = TopicRules.UNLIMITED.checkName(topicName);
    if (problem != null) {
      throw new IllegalArgumentException("invalid topic name '" + topicName + "': " + problem);
    }
    if (value == null) {
      throw new NullPointerException("value must not be null");
    }
    synchronized (writeLock) {
      Node<V> node = root;
      int start = 0;
      while (true) {
        int end = TopicTrie.levelEnd(topicName, start);
        node = node.getOrCreateChild(topicName.substring(start, end));
        if (end == topicName.length()) {
          break;
        }
        start = end + 1;
      }
      V previous = node.value;
      node.value = value;
      if (previous == null) {
        size++;
      }
      return previous;
    }
  }

  /** Removes the value stored under {@code topicName}; returns it, or {@code null} if there was none. */
  public V remove(String topicName) {
    synchronized (writeLock) {
      Node<V> node = find(topicName);
      if (node == null || node.value == null) {
        return null;
      }
      V removed = node.value;
      node.value = null;
      size--;
      while (node != root && node.isUnused()) {
        node.parent.detach(node);
        node = node.parent;
      }
      return removed;
    }
  }

  public V get(String topicName) {
    Node<V> node = find(topicName);
    return node == null ? null : node.value;
  }

  /**
   * Visits the value of every stored topic name that {@code filter} matches. The filter is assumed valid and
   * plain (for a shared subscription, pass its inner filter).
   */
  public void match(String filter, Consumer<? super V> visitor) {
    walk(root, filter, 0, visitor);
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Visits every value, in no particular order. */
  public void forEach(Consumer<? super V> visitor) {
    emitSubtree(root, false, visitor);
  }

  /** Number of nodes below the root; lets tests check that removal prunes. */
  int nodeCount() {
    int[] count = {-1};
    ArrayDeque<Node<V>> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      count[0]++;
      pending.pop().forEachChild(pending::push);
    }
    return count[0];
  }

  /**
   * Matches the filter levels from index {@code start} against the children of {@code node}. Literal levels are
   * followed in a loop; only '+' recurses, so the stack depth is bounded by the number of '+' in the filter.
   */
  private static <V> void walk(Node<V> node, String filter, int start, Consumer<? super V> visitor) {
    while (true) {
      int end = TopicTrie.levelEnd(filter, start);
      boolean last = end == filter.length();
      // 4.7.2: a wildcard in the first level does not match topics that start with '$'.
      boolean skipDollar = start == 0;
      if (end - start == 1 && filter.charAt(start) == '#') {
        // Includes the node itself: "sport/#" matches "sport".
        emitSubtree(node, skipDollar, visitor);
        return;
      }
      if (end - start == 1 && filter.charAt(start) == '+') {
        ConcurrentHashMap<String, Node<V>> children = node.children;
        if (children != null) {
          int next = end + 1;
          children.values().forEach(child -> {
            if (skipDollar && child.level.startsWith("$")) {
              return;
            }
            if (last) {
              emit(child, visitor);
            } else {
              walk(child, filter, next, visitor);
            }
          });
        }
        return;
      }
      Node<V> child = node.child(filter.substring(start, end));
      if (child == null) {
        return;
      }
      if (last) {
        emit(child, visitor);
        return;
      }
      node = child;
      start = end + 1;
    }
  }

  private static <V> void emit(Node<V> node, Consumer<? super V> visitor) {
    V value = node.value;
    if (value != null) {
      visitor.accept(value);
    }
  }

  /** Emits {@code top} and all its descendants, iteratively: topic names can be deeper than the stack allows. */
  private static <V> void emitSubtree(Node<V> top, boolean skipDollar, Consumer<? super V> visitor) {
    ArrayDeque<Node<V>> pending = new ArrayDeque<>();
    if (skipDollar) {
      top.forEachChild(child -> {
        if (!child.level.startsWith("$")) {
          pending.push(child);
        }
      });
      emit(top, visitor);
    } else {
      pending.push(top);
    }
    while (!pending.isEmpty()) {
      Node<V> node = pending.pop();
      emit(node, visitor);
      node.forEachChild(pending::push);
    }
  }

  private Node<V> find(String topicName) {
    Node<V> node = root;
    int start = 0;
    while (node != null) {
      int end = TopicTrie.levelEnd(topicName, start);
      node = node.child(topicName.substring(start, end));
      if (end == topicName.length()) {
        return node;
      }
      start = end + 1;
    }
    return null;
  }

  /** One level of the index; mutated only under the write lock, volatile fields for lock-free readers. */
  private static final class Node<V> {

    final Node<V> parent;
    final String level;
    volatile ConcurrentHashMap<String, Node<V>> children;
    volatile V value;

    Node(Node<V> parent, String level) {
      this.parent = parent;
      this.level = level;
    }

    Node<V> child(String level) {
      ConcurrentHashMap<String, Node<V>> map = children;
      return map == null ? null : map.get(level);
    }

    Node<V> getOrCreateChild(String level) {
      ConcurrentHashMap<String, Node<V>> map = children;
      if (map == null) {
        map = new ConcurrentHashMap<>(4);
        children = map;
      }
      Node<V> child = map.get(level);
      if (child == null) {
        child = new Node<>(this, level);
        map.put(level, child);
      }
      return child;
    }

    void detach(Node<V> child) {
      ConcurrentHashMap<String, Node<V>> map = children;
      if (map != null) {
        map.remove(child.level, child);
        if (map.isEmpty()) {
          children = null;
        }
      }
    }

    boolean isUnused() {
      ConcurrentHashMap<String, Node<V>> map = children;
      return value == null && (map == null || map.isEmpty());
    }

    void forEachChild(Consumer<Node<V>> action) {
      ConcurrentHashMap<String, Node<V>> map = children;
      if (map != null) {
        map.values().forEach(action);
      }
    }
  }
}
