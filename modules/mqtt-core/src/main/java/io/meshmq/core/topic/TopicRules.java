package io.meshmq.core.topic;

/**
 * Validation of topic names and topic filters (MQTT 3.1.1 / 5.0 section 4.7, shared subscriptions 5.0 section
 * 4.8.2), with broker-configurable limits on encoded length and number of levels.
 *
 * <p>Both checks run on every PUBLISH / SUBSCRIBE, so they make a single pass over the chars without regexes,
 * splitting or encoding: the UTF-8 length is counted while scanning. The result is a short reason (for logs and
 * MQTT 5 reason strings) or {@code null} when the input is acceptable; no exceptions on the hot path.
 *
 * <p>The level limit bounds the depth of the subscription trie and of the retained-message index; for a shared
 * subscription it applies to the inner filter, which is what gets stored, while the byte limit applies to the
 * whole string, which is what travels on the wire.
 */
public final class TopicRules {

  /** The protocol limits: a UTF-8 string can carry at most 65,535 bytes; 128 levels is far beyond real use. */
  public static final TopicRules DEFAULT = new TopicRules(65_535, 128);

  /** Structure-only checks for internal use (the trie and the index guard their invariants with it). */
  static final TopicRules UNLIMITED = new TopicRules(Integer.MAX_VALUE, Integer.MAX_VALUE);

  static final String SHARE_PREFIX = "$share/";

  private static final String EMPTY_NAME = "empty topic name";
  private static final String EMPTY_FILTER = "empty topic filter";
  private static final String WILDCARD_IN_NAME = "wildcard in topic name";
  private static final String NUL = "contains U+0000";
  /**
   * Netty's MQTT decoder turns malformed UTF-8 (overlong forms, encoded surrogates, stray continuation bytes)
   * into U+FFFD instead of failing, so U+FFFD is the only trace of it left: topics containing it are refused.
   * A client that really means U+FFFD in a topic loses that one character.
   */
  private static final char REPLACEMENT_CHAR = '\uFFFD';
  private static final String MALFORMED_UTF8 = "malformed UTF-8 (decoded as U+FFFD)";
  private static final String UNPAIRED_SURROGATE = "invalid UTF-16 (unpaired surrogate)";
  private static final String MISPLACED_HASH = "'#' must be the whole last level";
  private static final String MISPLACED_PLUS = "'+' must be a whole level";
  private static final String EMPTY_SHARE_GROUP = "empty share group";
  private static final String WILDCARD_IN_SHARE_GROUP = "wildcard in share group";
  private static final String SHARE_WITHOUT_FILTER = "shared subscription without a topic filter";

  private final int maxLengthBytes;
  private final int maxLevels;
  // Built once so that rejecting a flood of oversized topics costs no string concatenation.
  private final String tooLong;
  private final String tooManyLevels;

  public TopicRules(int maxLengthBytes, int maxLevels) {
    if (maxLengthBytes < 1 || maxLevels < 1) {
      throw new IllegalArgumentException(
          "limits must be positive: maxLengthBytes=" + maxLengthBytes + ", maxLevels=" + maxLevels);
    }
    this.maxLengthBytes = maxLengthBytes;
    this.maxLevels = maxLevels;
    this.tooLong = "longer than " + maxLengthBytes + " bytes";
    this.tooManyLevels = "more than " + maxLevels + " levels";
  }

  public int maxLengthBytes() {
    return maxLengthBytes;
  }

  public int maxLevels() {
    return maxLevels;
  }

  /** Whether a problem {@link #checkName} or {@link #checkFilter} reported is the configured length limit. */
  public boolean isTooLong(String problem) {
    return problem == tooLong;
  }

  /** Whether a problem {@link #checkName} or {@link #checkFilter} reported is the configured level limit. */
  public boolean isTooManyLevels(String problem) {
    return problem == tooManyLevels;
  }

  /** Returns {@code null} if {@code topicName} is a valid topic name under these limits, else the reason. */
  public String checkName(String topicName) {
    if (topicName == null || topicName.isEmpty()) {
      return EMPTY_NAME;
    }
    int n = topicName.length();
    long bytes = 0;
    int levels = 1;
    for (int i = 0; i < n; i++) {
      char c = topicName.charAt(i);
      if (c < 0x80) {
        if (c == '/') {
          if (++levels > maxLevels) {
            return tooManyLevels;
          }
        } else if (c == '+' || c == '#') {
          return WILDCARD_IN_NAME;
        } else if (c == 0) {
          return NUL;
        }
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(topicName.charAt(i + 1))) {
          return UNPAIRED_SURROGATE;
        }
        i++;
        bytes += 4;
      } else {
        if (c == REPLACEMENT_CHAR) {
          return MALFORMED_UTF8;
        }
        bytes += 3;
      }
      if (bytes > maxLengthBytes) {
        return tooLong;
      }
    }
    return null;
  }

  /**
   * Returns {@code null} if {@code filter} is a valid topic filter under these limits, else the reason. Accepts
   * the shared-subscription form {@code $share/{group}/{filter}}; see {@link SharedSubscription}.
   */
  public String checkFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return EMPTY_FILTER;
    }
    if (!filter.startsWith(SHARE_PREFIX)) {
      return scanFilter(filter, 0, 0);
    }
    int n = filter.length();
    int groupStart = SHARE_PREFIX.length();
    long bytes = groupStart;
    int i = groupStart;
    for (; i < n; i++) {
      char c = filter.charAt(i);
      if (c == '/') {
        break;
      }
      if (c == '+' || c == '#') {
        return WILDCARD_IN_SHARE_GROUP;
      }
      if (c == 0) {
        return NUL;
      }
      if (c == REPLACEMENT_CHAR) {
        return MALFORMED_UTF8;
      }
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(filter.charAt(i + 1))) {
          return UNPAIRED_SURROGATE;
        }
        i++;
        bytes += 4;
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (i == groupStart) {
      return EMPTY_SHARE_GROUP;
    }
    if (i + 1 >= n) {
      return SHARE_WITHOUT_FILTER;
    }
    if (bytes + 1 > maxLengthBytes) {
      return tooLong;
    }
    return scanFilter(filter, i + 1, bytes + 1);
  }

  public boolean isValidName(String topicName) {
    return checkName(topicName) == null;
  }

  public boolean isValidFilter(String filter) {
    return checkFilter(filter) == null;
  }

  /** Scans a plain (non-shared) filter starting at {@code from}, which is non-empty, the beginning of a level. */
  private String scanFilter(String s, int from, long bytes) {
    int n = s.length();
    int levels = 1;
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c == '/') {
          if (++levels > maxLevels) {
            return tooManyLevels;
          }
        } else if (c == '+') {
          if ((i > from && s.charAt(i - 1) != '/') || (i + 1 < n && s.charAt(i + 1) != '/')) {
            return MISPLACED_PLUS;
          }
        } else if (c == '#') {
          if ((i > from && s.charAt(i - 1) != '/') || i + 1 != n) {
            return MISPLACED_HASH;
          }
        } else if (c == 0) {
          return NUL;
        }
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return UNPAIRED_SURROGATE;
        }
        i++;
        bytes += 4;
      } else {
        if (c == REPLACEMENT_CHAR) {
          return MALFORMED_UTF8;
        }
        bytes += 3;
      }
      if (bytes > maxLengthBytes) {
        return tooLong;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "TopicRules[maxLengthBytes=" + maxLengthBytes + ", maxLevels=" + maxLevels + "]";
  }
}
