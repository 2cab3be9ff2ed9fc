package io.meshmq.core.topic;

/**
 * The obviously-correct matcher: splits both strings and compares level by level. It is the oracle the trie is
 * tested against, and good enough for one-off checks such as ACLs; the routing hot path uses {@link TopicTrie}.
 */
public final class TopicMatcher {

  private TopicMatcher() {
  }

  /**
   * Whether {@code topicName} matches {@code filter} (MQTT section 4.7). Both are assumed valid (see
   * {@link TopicRules}); a shared subscription must be matched by its inner filter.
   */
  public static boolean matches(String filter, String topicName) {
    // 4.7.2: topics starting with '$' are reserved for the server and are not reached by a leading wildcard.
    if (topicName.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    // limit -1 keeps trailing empty levels: "a/" has two levels, "a" and "".
    String[] f = filter.split("/", -1);
    String[] t = topicName.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        // Also reached with i == t.length: "sport/#" matches "sport" (the parent level).
        return true;
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }
}
