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

  /** User + system CPU time in clock ticks (1/100 s on Linux). */
  long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
