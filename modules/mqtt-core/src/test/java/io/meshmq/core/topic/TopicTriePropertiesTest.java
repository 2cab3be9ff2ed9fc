package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The trie against a map-of-maps model, with {@link TopicMatcher} as the matching oracle. */
class TopicTriePropertiesTest {

  record Sub(String filter, int key) {
  }

  record Op(boolean put, String filter, int key, String value) {
  }

  @Provide
  Arbitrary<List<Sub>> subscriptions() {
    return Combinators.combine(TopicArbitraries.filters(), Arbitraries.integers().between(0, 3))
        .as(Sub::new).list().ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<String>> names() {
    return TopicArbitraries.names().list().ofMinSize(1).ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    return Combinators.combine(
            Arbitraries.of(true, true, true, false, false),
            TopicArbitraries.filters(),
            Arbitraries.integers().between(0, 2),
            Arbitraries.strings().alpha().ofLength(1))
        .as(Op::new).list().ofMaxSize(60);
  }

  @Property(tries = 500)
  void matchVisitsExactlyTheEntriesOfMatchingFilters(
      @ForAll("subscriptions") List<Sub> subs, @ForAll("names") List<String> topics) {
    TopicTrie<Integer, Integer> trie = new TopicTrie<>();
    Map<String, Map<Integer, Integer>> model = new HashMap<>();
    for (Sub sub : subs) {
      trie.put(sub.filter(), sub.key(), sub.key());
      model.computeIfAbsent(sub.filter(), f -> new HashMap<>()).put(sub.key(), sub.key());
    }
    for (String topic : topics) {
      // Values are the keys, so a key reached through several filters must show up once per filter.
      List<Integer> expectedValues = new ArrayList<>();
      List<String> expectedEntries = new ArrayList<>();
      model.forEach((filter, entries) -> {
        if (TopicMatcher.matches(filter, topic)) {
          entries.forEach((k, v) -> {
            expectedValues.add(v);
            expectedEntries.add(filter + " " + k);
          });
        }
      });
      List<Integer> values = new ArrayList<>();
      trie.match(topic, values::add);
      assertThat(values).as("match(%s)", topic).containsExactlyInAnyOrderElementsOf(expectedValues);

      List<String> entries = new ArrayList<>();
      trie.matchEntries(topic, (filter, k, v) -> entries.add(filter + " " + k));
      assertThat(entries).as("matchEntries(%s)", topic).containsExactlyInAnyOrderElementsOf(expectedEntries);
    }
  }

  @Property(tries = 500)
  void putAndRemoveKeepTheTrieEqualToTheModel(
      @ForAll("operations") List<Op> ops, @ForAll("names") List<String> topics) {
    TopicTrie<Integer, String> trie = new TopicTrie<>();
    Map<String, Map<Integer, String>> model = new HashMap<>();
    for (Op op : ops) {
      Map<Integer, String> entries = model.computeIfAbsent(op.filter(), f -> new HashMap<>());
      if (op.put()) {
        assertThat(trie.put(op.filter(), op.key(), op.value())).isEqualTo(entries.put(op.key(), op.value()));
      } else {
        assertThat(trie.remove(op.filter(), op.key())).isEqualTo(entries.remove(op.key()));
      }
      if (entries.isEmpty()) {
        model.remove(op.filter());
      }
      assertThat(trie.get(op.filter(), op.key())).isEqualTo(entries.get(op.key()));
      assertThat(trie.size()).isEqualTo(model.values().stream().mapToInt(Map::size).sum());
      assertThat(trie.filterCount()).isEqualTo(model.size());
    }

    List<String> all = new ArrayList<>();
    trie.forEach((filter, key, value) -> all.add(filter + " " + key + " " + value));
    List<String> expected = new ArrayList<>();
    model.forEach((filter, entries) -> entries.forEach((k, v) -> expected.add(filter + " " + k + " " + v)));
    assertThat(all).containsExactlyInAnyOrderElementsOf(expected);

    for (String topic : topics) {
      List<String> matched = new ArrayList<>();
      trie.matchEntries(topic, (filter, k, v) -> matched.add(filter + " " + k + " " + v));
      List<String> oracle = new ArrayList<>();
      model.forEach((filter, entries) -> {
        if (TopicMatcher.matches(filter, topic)) {
          entries.forEach((k, v) -> oracle.add(filter + " " + k + " " + v));
        }
      });
      assertThat(matched).containsExactlyInAnyOrderElementsOf(oracle);
    }

    // Removing what is left must prune the trie back to its bare root.
    model.forEach((filter, entries) -> entries.keySet().forEach(k -> trie.remove(filter, k)));
    assertThat(trie.isEmpty()).isTrue();
    assertThat(trie.filterCount()).isZero();
    assertThat(trie.nodeCount()).isZero();
  }
}
