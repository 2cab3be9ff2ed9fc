package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The single-pass validator against a deliberately naive one (split, getBytes) on strings from an alphabet rich in
 * troublemakers, with small limits so that the length and level checks are exercised too.
 */
class TopicRulesPropertiesTest {

  private static final int MAX_BYTES = 14;
  private static final int MAX_LEVELS = 4;
  private static final TopicRules RULES = new TopicRules(MAX_BYTES, MAX_LEVELS);

  @Provide
  Arbitrary<String> strings() {
    Arbitrary<String> pieces = Arbitraries.of(
        "a", "b", "/", "/", "+", "#", "$", "\u0000", "\u00e9", "\u20ac", "\uD83D\uDE00", "\uD83D", "\uDE00", "\uFFFD",
        "$share/", "$share/g/", "$share//");
    return pieces.list().ofMaxSize(8).map(list -> String.join("", list));
  }

  @Property(tries = 1000)
  void nameValidationAgreesWithNaiveReference(@ForAll("strings") String s) {
    assertThat(RULES.isValidName(s)).as("checkName(%s) = %s", s, RULES.checkName(s)).isEqualTo(naiveValidName(s));
  }

  @Property(tries = 1000)
  void filterValidationAgreesWithNaiveReference(@ForAll("strings") String s) {
    assertThat(RULES.isValidFilter(s)).as("checkFilter(%s) = %s", s, RULES.checkFilter(s))
        .isEqualTo(naiveValidFilter(s));
  }

  private static boolean naiveValidName(String s) {
    return !s.isEmpty() && !s.contains("+") && !s.contains("#") && commonRulesHold(s, s);
  }

  private static boolean naiveValidFilter(String s) {
    if (s.isEmpty()) {
      return false;
    }
    String inner = s;
    if (s.startsWith("$share/")) {
      String rest = s.substring("$share/".length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        return false;
      }
      String group = rest.substring(0, slash);
      inner = rest.substring(slash + 1);
      if (group.contains("+") || group.contains("#") || inner.isEmpty()) {
        return false;
      }
    }
    String[] levels = inner.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
        return false;
      }
      if (level.contains("+") && !level.equals("+")) {
        return false;
      }
    }
    return commonRulesHold(s, inner);
  }

  private static boolean commonRulesHold(String whole, String levelled) {
    return !whole.contains("\u0000")
        && !whole.contains("\uFFFD")
        && StandardCharsets.UTF_8.newEncoder().canEncode(whole)
        && whole.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES
        && levelled.split("/", -1).length <= MAX_LEVELS;
  }
}
