package io.meshmq.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads another process's memory and CPU from /proc, and its Java heap through jcmd. */
final class ProcessStats {

  private final long pid;

  ProcessStats(long pid) {
    this.pid = pid;
  }

  /** Whether the process is a JVM (then {@link #heapUsedAfterGcKib()} works). */
  boolean isJvm() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("java");
  }

  /** Resident set size in KiB. */
  long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + pid);
  }

  /** Resident KiB per memory mapping ("start-end name"), from /proc/PID/smaps. */
  java.util.Map<String, Long> residentByMapping() throws IOException {
    java.util.Map<String, Long> rss = new java.util.LinkedHashMap<>();
    String mapping = null;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
      if (Character.isDigit(line.charAt(0)) || (line.charAt(0) >= 'a' && line.charAt(0) <= 'f' && line.indexOf(' ') > 8
          && line.substring(0, line.indexOf(' ')).contains("-"))) {
        String[] f = line.trim().split("\\s+");
        mapping = f[0] + (f.length > 5 ? " " + f[5] : " [anon]");
      } else if (line.startsWith("Rss:") && mapping != null) {
        rss.put(mapping, Long.parseLong(line.replaceAll("[^0-9]", "")));
      }
    }
    return rss;
  }

  /** The mappings whose resident size changed by at least {@code minKib} between two snapshots, as text. */
  static String residentGrowth(java.util.Map<String, Long> before, java.util.Map<String, Long> after, long minKib) {
    StringBuilder out = new StringBuilder("RSS growth by mapping (KiB):\n");
    java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    long total = 0;
    for (String k : keys) {
      long d = after.getOrDefault(k, 0L) - before.getOrDefault(k, 0L);
      total += d;
      if (Math.abs(d) >= minKib) {
        out.append(String.format("%8d  %s (now %d)%n", d, k, after.getOrDefault(k, 0L)));
      }
    }
    return out.append(String.format("%8d  total%n", total)).toString();
  }

  /** User + system CPU time in clock ticks (1/100 s on Linux). */
  long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * Returns the broker's free native-heap memory to the OS ({@code jcmd System.trim_native_heap}, glibc's
   * malloc_trim): what the JIT compiler's arenas and other transient mallocs freed stays resident otherwise, and
   * would be counted as memory the connections hold.
   */
  void trimNativeHeap() throws IOException, InterruptedException {
    run("jcmd", String.valueOf(pid), "System.trim_native_heap");
  }

  /** Used Java heap in KiB right after a full GC (jcmd GC.run, then GC.heap_info). */
  long heapUsedAfterGcKib() throws IOException, InterruptedException {
    run("jcmd", String.valueOf(pid), "GC.run");
    String info = run("jcmd", String.valueOf(pid), "GC.heap_info");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    if (!m.find()) {
      throw new IOException("cannot read heap use from jcmd: " + info);
    }
    return Long.parseLong(m.group(1));
  }

  /** Live objects per class (the histogram runs a full GC first). */
  ClassHistogram classHistogram() throws IOException, InterruptedException {
    return ClassHistogram.parse(run("jcmd", String.valueOf(pid), "GC.class_histogram"));
  }

  /** Sets the Native Memory Tracking baseline (the JVM must run with -XX:NativeMemoryTracking=summary). */
  void nativeMemoryBaseline() throws IOException, InterruptedException {
    run("jcmd", String.valueOf(pid), "VM.native_memory", "baseline");
  }

  /** Native Memory Tracking summary, as a difference from the baseline. */
  String nativeMemoryDiff() throws IOException, InterruptedException {
    return run("jcmd", String.valueOf(pid), "VM.native_memory", "summary.diff");
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    return out;
  }
}
