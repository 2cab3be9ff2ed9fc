package io.meshmq.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reading node logs back for reports: the tail, the lines of a time window, the warnings. */
final class NodeLogs {

  private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}");
  private static final Pattern WARNING = Pattern.compile(" (WARN|ERROR) |Exception|\\[test\\]");

  private NodeLogs() {
  }

  static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      return List.of("(cannot read " + file + ": " + e + ")");
    }
  }

  static String tail(Path file, int n) {
    List<String> all = lines(file);
    return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
  }

  /**
   * The lines logged between {@code fromMillis} and {@code toMillis} (continuation lines such as stack traces go
   * with the line they follow), at most {@code max} of them, the rest summarized.
   */
  static String window(Path file, long fromMillis, long toMillis, int max) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    int skipped = 0;
    for (String line : lines(file)) {
      var m = TIMESTAMP.matcher(line);
      if (m.find()) {
        long t = Clock.parse(m.group());
        in = t >= fromMillis && t <= toMillis;
      } else if (line.startsWith("=== ")) {
        in = true; // the test's own markers (start, SIGTERM, SIGKILL, exit) carry their time in the text
        String ts = line.substring(4, Math.min(line.length(), 27));
        if (TIMESTAMP.matcher(ts).find()) {
          long t = Clock.parse(ts);
          in = t >= fromMillis && t <= toMillis;
        }
      }
      if (in) {
        if (out.size() < max) {
          out.add(line);
        } else {
          skipped++;
        }
      }
    }
    if (skipped > 0) {
      out.add("... " + skipped + " more lines in " + file);
    }
    return String.join("\n", out);
  }

  /** WARN / ERROR lines, exceptions and the test's markers, at most {@code max}. */
  static String warnings(Path file, int max) {
    List<String> out = new ArrayList<>();
    int skipped = 0;
    for (String line : lines(file)) {
      if (WARNING.matcher(line).find() || line.startsWith("=== ")) {
        if (out.size() < max) {
          out.add(line);
        } else {
          skipped++;
        }
      }
    }
    if (skipped > 0) {
      out.add("... " + skipped + " more in " + file);
    }
    return String.join("\n", out);
  }

  /**
   * The broker's own lines (not Hazelcast's, which carry its version tag, nor GC) between two instants, with runs of
   * lines that differ only in their time collapsed into the first and a count: what the nodes decided, in order.
   */
  static String ownLines(Path file, long fromMillis, long toMillis, int max) {
    List<String> out = new ArrayList<>();
    String lastKey = null;
    int repeats = 0;
    int skipped = 0;
    for (String line : lines(file)) {
      var m = TIMESTAMP.matcher(line);
      if (!m.find() || HAZELCAST_LINE.matcher(line).find()) {
        continue;
      }
      long t = Clock.parse(m.group());
      if (t < fromMillis || t > toMillis) {
        continue;
      }
      String key = line.substring(m.end()).replaceAll("__vertx\\.reply\\.[0-9a-f-]+", "");
      if (key.equals(lastKey)) {
        repeats++;
        continue;
      }
      if (repeats > 0 && !out.isEmpty()) {
        out.set(out.size() - 1, out.get(out.size() - 1) + "  [x" + (repeats + 1) + "]");
      }
      repeats = 0;
      lastKey = key;
      if (out.size() < max) {
        out.add(line);
      } else {
        skipped++;
      }
    }
    if (repeats > 0 && !out.isEmpty()) {
      out.set(out.size() - 1, out.get(out.size() - 1) + "  [x" + (repeats + 1) + "]");
    }
    if (skipped > 0) {
      out.add("... " + skipped + " more in " + file);
    }
    return String.join("\n", out);
  }

  /** Hazelcast's lines name the member, the cluster and the version: "[127.0.0.1]:5701 [name] [5.6.0]". */
  private static final Pattern HAZELCAST_LINE = Pattern.compile("\\] \\[\\d+\\.\\d+\\.\\d+\\] ");

  /** The first timestamped line matching {@code regex} logged at or after {@code fromMillis}, or null. */
  static String firstAfter(Path file, String regex, long fromMillis) {
    Pattern p = Pattern.compile(regex);
    for (String line : lines(file)) {
      var m = TIMESTAMP.matcher(line);
      if (m.find() && p.matcher(line).find() && Clock.parse(m.group()) >= fromMillis) {
        return line;
      }
    }
    return null;
  }

  static List<String> matching(Path file, String regex) {
    Pattern p = Pattern.compile(regex);
    List<String> out = new ArrayList<>();
    for (String line : lines(file)) {
      if (p.matcher(line).find()) {
        out.add(line);
      }
    }
    return out;
  }
}
