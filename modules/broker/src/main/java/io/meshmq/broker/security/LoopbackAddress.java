package io.meshmq.broker.security;

/**
 * Whether an address, as {@link FailedLoginLimiter#hostOf} gives it, is a loopback address: 127.0.0.0/8, ::1 in any
 * of its spellings, or an IPv4-mapped 127 address. Parsed by hand: {@code InetAddress.getByName} would look up in DNS,
 * from an event loop, whatever is not a valid literal.
 */
final class LoopbackAddress {

  private LoopbackAddress() {
  }

  static boolean is(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    if (host.indexOf(':') >= 0) {
      return ipv6Loopback(host);
    }
    int[] v4 = ipv4Octets(host);
    return v4 != null && v4[0] == 127;
  }

  /** The four octets of a dotted IPv4 literal, or null. */
  private static int[] ipv4Octets(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    int[] octets = new int[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        return null;
      }
      octets[i] = Integer.parseInt(p);
      if (octets[i] > 255) {
        return null;
      }
    }
    return octets;
  }

  private static boolean ipv6Loopback(String s) {
    String tail = null;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.', lastColon) >= 0) {
      // IPv4-mapped (::ffff:127.0.0.1): the last 32 bits written as an IPv4 address.
      tail = s.substring(lastColon + 1);
      s = s.substring(0, lastColon + 1) + "0:0";
    }
    int[] groups = ipv6Groups(s);
    if (groups == null) {
      return false;
    }
    for (int i = 0; i < 5; i++) {
      if (groups[i] != 0) {
        return false;
      }
    }
    if (tail != null) {
      int[] v4 = ipv4Octets(tail);
      return groups[5] == 0xFFFF && groups[6] == 0 && groups[7] == 0 && v4 != null && v4[0] == 127;
    }
    return groups[5] == 0 && groups[6] == 0 && groups[7] == 1;
  }

  /** The eight 16-bit groups of an IPv6 literal (with at most one "::"), or null. */
  private static int[] ipv6Groups(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String[] head = gap < 0 ? s.split(":", -1) : split(s.substring(0, gap));
    String[] rest = gap < 0 ? new String[0] : split(s.substring(gap + 2));
    int explicit = head.length + rest.length;
    if ((gap < 0 && explicit != 8) || (gap >= 0 && explicit > 7)) {
      return null;
    }
    int[] groups = new int[8];
    for (int i = 0; i < head.length; i++) {
      groups[i] = group(head[i]);
    }
    for (int i = 0; i < rest.length; i++) {
      groups[8 - rest.length + i] = group(rest[i]);
    }
    for (int g : groups) {
      if (g < 0) {
        return null;
      }
    }
    return groups;
  }

  private static String[] split(String part) {
    return part.isEmpty() ? new String[0] : part.split(":", -1);
  }

  private static int group(String hex) {
    if (hex.isEmpty() || hex.length() > 4 || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      return -1;
    }
    return Integer.parseInt(hex, 16);
  }
}
