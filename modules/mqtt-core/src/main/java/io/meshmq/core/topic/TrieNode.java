package io.meshmq.core.topic;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One level of a {@link TopicTrie}. Fields are mutated only under the trie's write lock and are volatile so that
 * lock-free readers see fully constructed children and value maps.
 *
 * <p>The wildcard children live in their own fields rather than in the literal map: every match consults them at
 * every level, and a field read is cheaper than a hash lookup.
 */
final class TrieNode<K, V> {

  final TrieNode<K, V> parent;
  /** This node's level within its parent; {@code null} for the root. */
  final String level;
  /**
   * The filter leading to this node, handed to visitors along with the entries stored here. Set only once the
   * node holds entries (before {@link #values} is published): keeping the prefix in every inner node would cost
   * memory quadratic in the depth.
   */
  String filter;

  volatile ConcurrentHashMap<String, TrieNode<K, V>> literals;
  volatile TrieNode<K, V> plus;
  volatile TrieNode<K, V> hash;
  volatile ConcurrentHashMap<K, V> values;

  TrieNode(TrieNode<K, V> parent, String level) {
    this.parent = parent;
    this.level = level;
  }

  /** Reader-side lookup of the child for {@code s[start, end)}, which may be a wildcard level. */
  TrieNode<K, V> child(String s, int start, int end) {
    if (end - start == 1) {
      char c = s.charAt(start);
      if (c == '+') {
        return plus;
      }
      if (c == '#') {
        return hash;
      }
    }
    return literalChild(s, start, end);
  }

  /** Reader-side lookup of the literal child for {@code s[start, end)}, ignoring wildcard children. */
  TrieNode<K, V> literalChild(String s, int start, int end) {
    ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
    return map == null ? null : map.get(s.substring(start, end));
  }

  /** Writer side: the child for {@code level}, created if absent. */
  TrieNode<K, V> getOrCreateChild(String level) {
    switch (level) {
      case "+" -> {
        TrieNode<K, V> child = plus;
        if (child == null) {
          child = new TrieNode<>(this, level);
          plus = child;
        }
        return child;
      }
      case "#" -> {
        TrieNode<K, V> child = hash;
        if (child == null) {
          child = new TrieNode<>(this, level);
          hash = child;
        }
        return child;
      }
      default -> {
        ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
        if (map == null) {
          map = new ConcurrentHashMap<>(4);
          literals = map;
        }
        TrieNode<K, V> child = map.get(level);
        if (child == null) {
          child = new TrieNode<>(this, level);
          map.put(level, child);
        }
        return child;
      }
    }
  }

  /** Writer side: removes {@code child}, which has become unused. */
  void detach(TrieNode<K, V> child) {
    if (child == plus) {
      plus = null;
    } else if (child == hash) {
      hash = null;
    } else {
      ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
      if (map != null) {
        map.remove(child.level, child);
        if (map.isEmpty()) {
          literals = null;
        }
      }
    }
  }

  boolean isUnused() {
    ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
    return values == null && plus == null && hash == null && (map == null || map.isEmpty());
  }

  void forEachChild(Consumer<TrieNode<K, V>> action) {
    ConcurrentHashMap<String, TrieNode<K, V>> map = literals;
    if (map != null) {
      map.values().forEach(action);
    }
    TrieNode<K, V> p = plus;
    if (p != null) {
      action.accept(p);
    }
    TrieNode<K, V> h = hash;
    if (h != null) {
      action.accept(h);
    }
  }
}
