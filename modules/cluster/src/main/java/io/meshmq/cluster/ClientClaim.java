package io.meshmq.cluster;

/**
 * A client registry value: the node holding a client id and when it claimed it ({@code node@epochMillis}).
 * The claim time orders two claims of one id made on the two sides of a split brain; Hazelcast's own update
 * times count whole seconds, so two claims within a second would tie and the merging side would win.
 */
final class ClientClaim {

  private static final char SEPARATOR = '@';

  private ClientClaim() {
  }

  /** A claim by {@code node} now. */
  static String now(String node) {
    return node + SEPARATOR + System.currentTimeMillis();
  }

  /** The node of a registry value (null for null). A value without a time is a bare node id. */
  static String node(String value) {
    if (value == null) {
      return null;
    }
    int at = value.lastIndexOf(SEPARATOR);
    return at < 0 ? value : value.substring(0, at);
  }

  /** The claim time of a registry value, 0 if it has none. */
  static long time(String value) {
    int at = value.lastIndexOf(SEPARATOR);
    if (at < 0) {
      return 0;
    }
    try {
      return Long.parseLong(value.substring(at + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Whether claim {@code a} wins over claim {@code b}: the later claim, and at the same millisecond the greater
   * node id, so that every member merging the same two values picks the same one.
   */
  static boolean wins(String a, String b) {
    int byTime = Long.compare(time(a), time(b));
    return byTime != 0 ? byTime > 0 : node(a).compareTo(node(b)) >= 0;
  }
}
