package io.meshmq.core.topic;

/** Receives one subscription entry of a {@link TopicTrie}: the filter it was stored under, its key and value. */
@FunctionalInterface
public interface MatchVisitor<K, V> {

  void visit(String filter, K key, V value);
}
