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

/** The index against a plain map, with brute force over the stored names as the matching oracle. */
class TopicIndexPropertiesTest {

  record Op(boolean put, String name) {
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    return Combinators.combine(Arbitraries.of(true, true, false), TopicArbitraries.names())
        .as(Op::new).list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<String>> filters() {
    return TopicArbitraries.filters().list().ofMinSize(1).ofMaxSize(10);
  }

  @Property(tries = 500)
  void matchEqualsBruteForceAfterPutsAndRemoves(
      @ForAll("operations") List<Op> ops, @ForAll("filters") List<String> filters) {
    TopicIndex<String> index = new TopicIndex<>();
    Map<String, String> model = new HashMap<>();
    int version = 0;
    for (Op op : ops) {
      if (op.put()) {
        String value = op.name() + "@" + version++;
        assertThat(index.put(op.name(), value)).isEqualTo(model.put(op.name(), value));
      } else {
        assertThat(index.remove(op.name())).isEqualTo(model.remove(op.name()));
      }
      assertThat(index.get(op.name())).isEqualTo(model.get(op.name()));
      assertThat(index.size()).isEqualTo(model.size());
    }

    for (String filter : filters) {
      List<String> matched = new ArrayList<>();
      index.match(filter, matched::add);
      List<String> expected = new ArrayList<>();
      model.forEach((name, value) -> {
        if (TopicMatcher.matches(filter, name)) {
          expected.add(value);
        }
      });
      assertThat(matched).as("match(%s)", filter).containsExactlyInAnyOrderElementsOf(expected);
    }

    List<String> all = new ArrayList<>();
    index.forEach(all::add);
    assertThat(all).containsExactlyInAnyOrderElementsOf(model.values());

    model.keySet().forEach(index::remove);
    assertThat(index.isEmpty()).isTrue();
    assertThat(index.nodeCount()).isZero();
  }
}
