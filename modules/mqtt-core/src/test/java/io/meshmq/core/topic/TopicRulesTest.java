package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicRulesTest {

  private static final TopicRules RULES = TopicRules.DEFAULT;
  private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, 4 bytes in UTF-8

  @ParameterizedTest
  @ValueSource(strings = {"a", "/", "a//b", "/a", "a/", "//", "$SYS/broker/load", "sport/tennis/player1", " ",
      "caf\u00e9/\u20ac/" + EMOJI, "$share/g/a"})
  void acceptsValidNames(String name) {
    assertThat(RULES.checkName(name)).isNull();
    assertThat(RULES.isValidName(name)).isTrue();
  }

  @Test
  void rejectsEmptyName() {
    assertThat(RULES.checkName("")).isEqualTo("empty topic name");
    assertThat(RULES.checkName(null)).isEqualTo("empty topic name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"+", "#", "a/+", "a/#", "a+b", "sport/tennis#", "+/x"})
  void rejectsWildcardsInNames(String name) {
    assertThat(RULES.checkName(name)).isEqualTo("wildcard in topic name");
    assertThat(RULES.isValidName(name)).isFalse();
  }

  @Test
  void rejectsNul() {
    assertThat(RULES.checkName("a\u0000b")).isEqualTo("contains U+0000");
    assertThat(RULES.checkFilter("a/\u0000/#")).isEqualTo("contains U+0000");
    assertThat(RULES.checkFilter("$share/g\u0000/a")).isEqualTo("contains U+0000");
    // Netty's decoder maps malformed UTF-8 to U+FFFD: it is the only trace left of it
    assertThat(RULES.checkName("a/\uFFFD")).startsWith("malformed UTF-8");
    assertThat(RULES.checkFilter("a/\uFFFD/#")).startsWith("malformed UTF-8");
    assertThat(RULES.checkFilter("$share/\uFFFD/a")).startsWith("malformed UTF-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\uD800b", "a\uDC00", "\uD800", "x/\uDE00\uD83D", "\uDBFF"})
  void rejectsUnpairedSurrogates(String s) {
    assertThat(RULES.checkName(s)).isEqualTo("invalid UTF-16 (unpaired surrogate)");
    assertThat(RULES.checkFilter(s)).isEqualTo("invalid UTF-16 (unpaired surrogate)");
    assertThat(RULES.checkFilter("$share/" + s + "/a")).isEqualTo("invalid UTF-16 (unpaired surrogate)");
  }

  @Test
  void lengthLimitCountsUtf8BytesNotChars() {
    assertThat(RULES.checkName("a".repeat(65_535))).isNull();
    assertThat(RULES.checkName("a".repeat(65_536))).isEqualTo("longer than 65535 bytes");
    // 2-byte chars
    assertThat(RULES.checkName("\u00e9".repeat(32_767) + "a")).isNull();
    assertThat(RULES.checkName("\u00e9".repeat(32_768))).isEqualTo("longer than 65535 bytes");
    // 3-byte chars
    assertThat(RULES.checkName("\u20ac".repeat(21_845))).isNull();
    assertThat(RULES.checkName("\u20ac".repeat(21_845) + "a")).isEqualTo("longer than 65535 bytes");
    // surrogate pairs: 2 chars, 4 bytes
    assertThat(RULES.checkName(EMOJI.repeat(16_383) + "abc")).isNull();
    assertThat(RULES.checkName(EMOJI.repeat(16_384))).isEqualTo("longer than 65535 bytes");
    assertThat(RULES.checkFilter(EMOJI.repeat(16_383) + "/+/#")).isEqualTo("longer than 65535 bytes");
    assertThat(RULES.checkFilter(EMOJI.repeat(16_383) + "/#")).isNull();
  }

  @Test
  void levelLimit() {
    String maxLevels = "a" + "/a".repeat(127);
    assertThat(RULES.checkName(maxLevels)).isNull();
    assertThat(RULES.checkName(maxLevels + "/a")).isEqualTo("more than 128 levels");
    assertThat(RULES.checkName("/".repeat(127))).isNull();
    assertThat(RULES.checkName("/".repeat(128))).isEqualTo("more than 128 levels");
    assertThat(RULES.checkFilter("+" + "/+".repeat(127))).isNull();
    assertThat(RULES.checkFilter("+" + "/+".repeat(127) + "/#")).isEqualTo("more than 128 levels");
  }

  @Test
  void customLimits() {
    TopicRules rules = new TopicRules(10, 3);
    assertThat(rules.checkName("a".repeat(10))).isNull();
    assertThat(rules.checkName("a".repeat(11))).isEqualTo("longer than 10 bytes");
    assertThat(rules.checkName("a/b/c")).isNull();
    assertThat(rules.checkName("a/b/c/d")).isEqualTo("more than 3 levels");
    assertThat(rules.checkFilter("+/+/#")).isNull();
    assertThat(rules.checkFilter("+/+/+/#")).isEqualTo("more than 3 levels");
    assertThat(rules.maxLengthBytes()).isEqualTo(10);
    assertThat(rules.maxLevels()).isEqualTo(3);
  }

  @Test
  void sharedSubscriptionLimits() {
    // Levels are those of the stored inner filter; bytes are those of the whole wire string.
    TopicRules rules = new TopicRules(12, 2);
    assertThat(rules.checkFilter("$share/g/a/b")).isNull();
    assertThat(rules.checkFilter("$share/g/a/b/c")).isEqualTo("more than 2 levels");
    assertThat(rules.checkFilter("$share/g/a/bcd")).isEqualTo("longer than 12 bytes");
    assertThat(rules.checkFilter("$share/group/a")).isEqualTo("longer than 12 bytes");
    assertThat(rules.checkFilter("$share/groupxyz/a")).isEqualTo("longer than 12 bytes");
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThatThrownBy(() -> new TopicRules(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TopicRules(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "+/+", "/+", "+/", "sport/#", "sport/tennis/+", "sport/+/player1",
      "+/tennis/#", "a//b", "$SYS/#", "a/+/+/#", "/", "//#", "+/+/+", "$share", "$sharefoo/#", "$share/g/#",
      "$share/g/+/b", "$share/g//", "$share/g/$SYS/#", "sport/tennis/player1/#"})
  void acceptsValidFilters(String filter) {
    assertThat(RULES.checkFilter(filter)).isNull();
    assertThat(RULES.isValidFilter(filter)).isTrue();
  }

  @Test
  void rejectsEmptyFilter() {
    assertThat(RULES.checkFilter("")).isEqualTo("empty topic filter");
    assertThat(RULES.checkFilter(null)).isEqualTo("empty topic filter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "##", "#/", "#/a", "a/#/", "a#", "$share/g/a#",
      "$share/g/#/a"})
  void rejectsMisplacedHash(String filter) {
    assertThat(RULES.checkFilter(filter)).isEqualTo("'#' must be the whole last level");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sport+", "a/+b", "+a", "++", "a/b+/c", "+#", "$share/g/a+"})
  void rejectsMisplacedPlus(String filter) {
    assertThat(RULES.checkFilter(filter)).isEqualTo("'+' must be a whole level");
  }

  @Test
  void rejectsMalformedSharedSubscriptions() {
    assertThat(RULES.checkFilter("$share/g")).isEqualTo("shared subscription without a topic filter");
    assertThat(RULES.checkFilter("$share/g/")).isEqualTo("shared subscription without a topic filter");
    assertThat(RULES.checkFilter("$share/")).isEqualTo("empty share group");
    assertThat(RULES.checkFilter("$share//a")).isEqualTo("empty share group");
    assertThat(RULES.checkFilter("$share/g+/a")).isEqualTo("wildcard in share group");
    assertThat(RULES.checkFilter("$share/#/a")).isEqualTo("wildcard in share group");
    assertThat(RULES.checkFilter("$share/+/a")).isEqualTo("wildcard in share group");
  }
}
