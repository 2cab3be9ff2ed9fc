package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The matching examples of MQTT section 4.7 and the edge cases around them, checked on all three matchers. */
class MatchingExamplesTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // 4.7.1.2 multi-level wildcard
        match("sport/tennis/player1/#", "sport/tennis/player1", true),
        match("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
        match("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
        match("sport/tennis/player1/#", "sport/tennis/player2", false),
        match("sport/tennis/player1/#", "sport/tennis", false),
        match("sport/#", "sport", true),
        match("sport/#", "sport/", true),
        match("sport/#", "sports", false),
        match("#", "sport", true),
        match("#", "/", true),
        match("#", "a/b/c/d/e", true),
        // 4.7.1.3 single-level wildcard
        match("sport/tennis/+", "sport/tennis/player1", true),
        match("sport/tennis/+", "sport/tennis/player2", true),
        match("sport/tennis/+", "sport/tennis/player1/ranking", false),
        match("sport/+", "sport", false),
        match("sport/+", "sport/", true),
        match("+/+", "/finance", true),
        match("/+", "/finance", true),
        match("+", "/finance", false),
        match("+", "finance", true),
        match("+/tennis/#", "sport/tennis", true),
        match("+/tennis/#", "sport/tennis/x/y", true),
        match("sport/+/player1", "sport/tennis/player1", true),
        match("sport/+/player1", "sport//player1", true),
        match("a/+/#", "a/b", true),
        match("a/+/#", "a", false),
        match("+/+/+", "a//", true),
        // 4.7.2 topics beginning with $
        match("#", "$SYS/x", false),
        match("#", "$SYS", false),
        match("+/monitor/Clients", "$SYS/monitor/Clients", false),
        match("+/#", "$SYS/monitor", false),
        match("$SYS/#", "$SYS/monitor/Clients", true),
        match("$SYS/#", "$SYS", true),
        match("$SYS/monitor/+", "$SYS/monitor/Clients", true),
        match("a/+", "a/$x", true),
        match("a/#", "a/$x/y", true),
        match("+", "x$", true),
        // 4.7.3 case sensitivity and empty levels
        match("ACCOUNTS", "Accounts", false),
        match("a//b", "a//b", true),
        match("a//b", "a/b", false),
        match("/a", "a", false),
        match("a", "a/", false),
        match("a/", "a/", true),
        match("/", "/", true));
  }

  private static Arguments match(String filter, String topic, boolean expected) {
    return Arguments.of(filter, topic, expected);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("cases")
  void naiveMatcher(String filter, String topic, boolean expected) {
    assertThat(TopicRules.DEFAULT.isValidFilter(filter)).isTrue();
    assertThat(TopicRules.DEFAULT.isValidName(topic)).isTrue();
    assertThat(TopicMatcher.matches(filter, topic)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("cases")
  void trie(String filter, String topic, boolean expected) {
    TopicTrie<String, String> trie = new TopicTrie<>();
    trie.put(filter, "client", "sub");
    // A decoy sibling so that the walk has something else to consider at every level.
    if (!filter.endsWith("#")) {
      trie.put(filter + "/x", "client", "decoy");
    }
    List<String> seen = new ArrayList<>();
    trie.match(topic, seen::add);
    assertThat(seen.contains("sub")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @MethodSource("cases")
  void index(String filter, String topic, boolean expected) {
    TopicIndex<String> index = new TopicIndex<>();
    index.put(topic, "retained");
    index.put(topic + "/x/y", "decoy");
    List<String> seen = new ArrayList<>();
    index.match(filter, seen::add);
    assertThat(seen.contains("retained")).isEqualTo(expected);
  }
}
