package io.meshmq.broker.security;

import io.meshmq.core.topic.TopicMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Access rules read from an ACL file, one rule per line:
 * <pre>
 *   allow|deny  user|client|all  &lt;name or *&gt;  publish|subscribe|both  &lt;topic pattern&gt;
 * </pre>
 * Blank lines and lines starting with {@code #} are ignored. Patterns are MQTT filters ({@code +} one level,
 * {@code #} the rest) in which {@code %u} stands for the client's username and {@code %c} for its client id; a rule
 * whose {@code %u} cannot be filled (anonymous client) or whose substituted value contains {@code /}, {@code +} or
 * {@code #} does not apply. {@code user *} means any client with a (verified) username, {@code client *} and
 * {@code all *} any client.
 *
 * <p>The first rule that applies decides; when none does, the answer is deny.
 * <ul>
 *   <li>PUBLISH to a topic: a rule applies when its pattern matches the topic.</li>
 *   <li>SUBSCRIBE to a filter (the filter inside {@code $share/group/}): an <b>allow</b> rule applies only when its
 *   pattern covers the whole filter (every topic the filter can match, the pattern matches too); a <b>deny</b> rule
 *   applies when its pattern covers the whole filter (the filter reaches only denied topics: refused). A deny rule
 *   that only overlaps the filter (one topic could match both) does not refuse it but <b>narrows</b> the grant of
 *   the allow rule that follows: the subscription is granted, and each message it matches is delivered only if
 *   {@link #canReceive} allows its topic. So {@code deny all * subscribe a/secret} then {@code allow all * both #}
 *   grants {@code #} and {@code a/+}, which never deliver {@code a/secret}, and refuses {@code a/secret}.</li>
 *   <li>Receiving a message through a narrowed subscription: the first subscribe rule whose pattern matches the
 *   topic decides, as for PUBLISH.</li>
 * </ul>
 */
public final class Acl {

  /** What a rule is about. */
  enum Action {
    PUBLISH, SUBSCRIBE, BOTH;

    boolean includes(Action a) {
      return this == BOTH || this == a;
    }
  }

  enum Subject {
    USER, CLIENT, ALL
  }

  record Rule(int line, boolean allow, Subject subject, String name, Action action, String pattern) {

    boolean concerns(String username, String clientId) {
      return switch (subject) {
        case ALL -> true;
        case USER -> username != null && (name.equals("*") || name.equals(username));
        case CLIENT -> name.equals("*") || name.equals(clientId);
      };
    }

    /** The pattern with %u and %c filled in, or null if the rule cannot apply to this client. */
    String patternFor(String username, String clientId) {
      String p = pattern;
      if (p.contains("%u")) {
        if (!safe(username)) {
          return null;
        }
        p = p.replace("%u", username);
      }
      if (p.contains("%c")) {
        if (!safe(clientId)) {
          return null;
        }
        p = p.replace("%c", clientId);
      }
      return p;
    }

    private static boolean safe(String value) {
      return value != null && !value.isEmpty() && value.indexOf('/') < 0 && value.indexOf('+') < 0 && value.indexOf('#') < 0;
    }
  }

  private final List<Rule> rules;

  private Acl(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static Acl parse(String name, byte[] content) {
    return parse(name, new String(content, StandardCharsets.UTF_8).lines().toList());
  }

  /** @throws FileFormatException listing every bad line with its number */
  public static Acl parse(String name, List<String> lines) {
    List<Rule> rules = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      int n = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 5) {
        problems.add("line " + n + ": expected 5 fields 'allow|deny user|client|all <name|*> publish|subscribe|both "
            + "<topic pattern>', got " + f.length);
        continue;
      }
      int before = problems.size();
      Boolean allow = switch (f[0].toLowerCase(Locale.ROOT)) {
        case "allow" -> true;
        case "deny" -> false;
        default -> {
          problems.add("line " + n + ": '" + f[0] + "' is neither allow nor deny");
          yield null;
        }
      };
      Subject subject = switch (f[1].toLowerCase(Locale.ROOT)) {
        case "user" -> Subject.USER;
        case "client" -> Subject.CLIENT;
        case "all" -> Subject.ALL;
        default -> {
          problems.add("line " + n + ": '" + f[1] + "' is not user, client or all");
          yield null;
        }
      };
      if (subject == Subject.ALL && !f[2].equals("*")) {
        problems.add("line " + n + ": the name of an 'all' rule must be *, got '" + f[2] + "'");
      }
      Action action = switch (f[3].toLowerCase(Locale.ROOT)) {
        case "publish" -> Action.PUBLISH;
        case "subscribe" -> Action.SUBSCRIBE;
        case "both" -> Action.BOTH;
        default -> {
          problems.add("line " + n + ": '" + f[3] + "' is not publish, subscribe or both");
          yield null;
        }
      };
      String patternProblem = checkPattern(f[4]);
      if (patternProblem != null) {
        problems.add("line " + n + ": topic pattern '" + f[4] + "' " + patternProblem);
      }
      if (problems.size() == before) {
        rules.add(new Rule(n, allow, subject, f[2], action, f[4]));
      }
    }
    if (!problems.isEmpty()) {
      throw new FileFormatException(name, problems);
    }
    return new Acl(rules);
  }

  private static String checkPattern(String p) {
    String[] levels = p.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String l = levels[i];
      if (l.equals("#")) {
        if (i != levels.length - 1) {
          return "has '#' before its last level";
        }
      } else if (l.contains("#")) {
        return "has '#' inside a level ('#' must be a whole level)";
      } else if (!l.equals("+") && l.contains("+")) {
        return "has '+' inside a level ('+' must be a whole level)";
      }
    }
    if (p.startsWith("$share/")) {
      return "is a shared subscription; write the inner filter";
    }
    return null;
  }

  public int size() {
    return rules.size();
  }

  /** What a SUBSCRIBE of one filter gets; see the class comment. */
  public enum SubscribeVerdict {
    REFUSED, GRANTED, NARROWED
  }

  /** Whether a client may publish to {@code topic}. */
  public boolean canPublish(String username, String clientId, String topic) {
    return firstMatchAllows(Action.PUBLISH, username, clientId, topic);
  }

  /** Whether a message on {@code topic} may reach the client through a narrowed subscription. */
  public boolean canReceive(String username, String clientId, String topic) {
    return firstMatchAllows(Action.SUBSCRIBE, username, clientId, topic);
  }

  private boolean firstMatchAllows(Action action, String username, String clientId, String topic) {
    for (Rule r : rules) {
      if (!r.action().includes(action) || !r.concerns(username, clientId)) {
        continue;
      }
      String p = r.patternFor(username, clientId);
      if (p != null && TopicMatcher.matches(p, topic)) {
        return r.allow();
      }
    }
    return false;
  }

  /** Whether a client may subscribe to {@code filter} (a shared subscription is judged by its inner filter). */
  public boolean canSubscribe(String username, String clientId, String filter) {
    return subscribeVerdict(username, clientId, filter) != SubscribeVerdict.REFUSED;
  }

  /** Whether a client may subscribe to {@code filter}, and whether the grant is narrowed (see the class comment). */
  public SubscribeVerdict subscribeVerdict(String username, String clientId, String filter) {
    String f = innerFilter(filter);
    boolean narrowed = false;
    for (Rule r : rules) {
      if (!r.action().includes(Action.SUBSCRIBE) || !r.concerns(username, clientId)) {
        continue;
      }
      String p = r.patternFor(username, clientId);
      if (p == null) {
        continue;
      }
      if (r.allow()) {
        if (covers(p, f)) {
          return narrowed ? SubscribeVerdict.NARROWED : SubscribeVerdict.GRANTED;
        }
      } else if (covers(p, f)) {
        return SubscribeVerdict.REFUSED;
      } else if (overlaps(p, f)) {
        // (An allow rule before this deny may already decide the topics they share: the gate, which applies the
        // rules topic by topic, lets those through; narrowing is only ever on the safe side.)
        narrowed = true;
      }
    }
    return SubscribeVerdict.REFUSED;
  }

  static String innerFilter(String filter) {
    if (filter.startsWith("$share/")) {
      int slash = filter.indexOf('/', "$share/".length());
      if (slash > 0) {
        return filter.substring(slash + 1);
      }
    }
    return filter;
  }

  /** Whether every topic {@code filter} matches is matched by {@code pattern}. */
  static boolean covers(String pattern, String filter) {
    if (dollarMismatch(pattern, filter)) {
      return false;
    }
    String[] p = pattern.split("/", -1);
    String[] f = filter.split("/", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("#")) {
        return true;
      }
      if (i >= f.length || f[i].equals("#")) {
        return false;
      }
      if (p[i].equals("+")) {
        continue;
      }
      if (!p[i].equals(f[i])) { // includes f[i] == "+" against a literal level
        return false;
      }
    }
    return p.length == f.length;
  }

  /** Whether some topic is matched by both {@code pattern} and {@code filter}. */
  static boolean overlaps(String pattern, String filter) {
    if (dollarMismatch(pattern, filter)) {
      return false;
    }
    String[] p = pattern.split("/", -1);
    String[] f = filter.split("/", -1);
    for (int i = 0; ; i++) {
      boolean pEnd = i >= p.length;
      boolean fEnd = i >= f.length;
      if (pEnd && fEnd) {
        return true;
      }
      if (pEnd) {
        return f[i].equals("#"); // "a/#" also matches "a"
      }
      if (fEnd) {
        return p[i].equals("#");
      }
      if (p[i].equals("#") || f[i].equals("#")) {
        return true;
      }
      if (!p[i].equals("+") && !f[i].equals("+") && !p[i].equals(f[i])) {
        return false;
      }
    }
  }

  /** Topics starting with '$' are not reached by a leading wildcard (MQTT 4.7.2). */
  private static boolean dollarMismatch(String a, String b) {
    return (a.startsWith("$") && isWildcardStart(b)) || (b.startsWith("$") && isWildcardStart(a));
  }

  private static boolean isWildcardStart(String filter) {
    return filter.startsWith("+") || filter.startsWith("#");
  }
}
