package io.meshmq.core.topic;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators over a tiny alphabet of levels, so that random filters and names collide often: empty levels,
 * '$'-prefixed levels and wildcards in every position turn up in nearly every sample.
 */
final class TopicArbitraries {

  private TopicArbitraries() {
  }

  static Arbitrary<String> names() {
    return Arbitraries.of("a", "b", "$s", "")
        .list().ofMinSize(1).ofMaxSize(4)
        .map(levels -> String.join("/", levels))
        .filter(name -> !name.isEmpty());
  }

  static Arbitrary<String> filters() {
    Arbitrary<List<String>> levels = Arbitraries.of("a", "b", "$s", "", "+").list().ofMinSize(0).ofMaxSize(4);
    return Combinators.combine(levels, Arbitraries.of(true, false)).as((prefix, endsWithHash) -> {
      List<String> all = new ArrayList<>(prefix);
      if (endsWithHash || all.isEmpty()) {
        all.add("#");
      }
      return String.join("/", all);
    }).filter(filter -> !filter.isEmpty());
  }
}
