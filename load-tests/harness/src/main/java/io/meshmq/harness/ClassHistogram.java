package io.meshmq.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live objects per class of another JVM ({@code jcmd PID GC.class_histogram}, which runs a full GC first), and
 * the difference between two of them per connection: what one idle connection costs, class by class.
 */
final class ClassHistogram {

  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** Class name -> {instances, bytes}. */
  private final Map<String, long[]> rows;

  private ClassHistogram(Map<String, long[]> rows) {
    this.rows = rows;
  }

  static ClassHistogram parse(String jcmdOutput) {
    Map<String, long[]> rows = new HashMap<>();
    for (String line : jcmdOutput.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        rows.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
      }
    }
    return new ClassHistogram(rows);
  }

  /** The classes that grew by at least {@code minBytesPerConnection} per connection, largest first, as text. */
  String perConnectionGrowthSince(ClassHistogram before, int connections, double minBytesPerConnection) {
    List<Object[]> grown = new ArrayList<>();
    double total = 0;
    for (Map.Entry<String, long[]> e : rows.entrySet()) {
      long[] old = before.rows.getOrDefault(e.getKey(), new long[2]);
      double bytes = (e.getValue()[1] - old[1]) / (double) connections;
      double instances = (e.getValue()[0] - old[0]) / (double) connections;
      total += bytes;
      if (bytes >= minBytesPerConnection) {
        grown.add(new Object[] {e.getKey(), instances, bytes});
      }
    }
    grown.sort((a, b) -> Double.compare((double) b[2], (double) a[2]));
    StringBuilder out = new StringBuilder(String.format("%10s %10s  %s%n", "B/conn", "obj/conn", "class"));
    for (Object[] g : grown) {
      out.append(String.format("%10.1f %10.2f  %s%n", g[2], g[1], g[0]));
    }
    out.append(String.format("%10.1f %10s  %s%n", total, "", "total (all classes)"));
    return out.toString();
  }
}
