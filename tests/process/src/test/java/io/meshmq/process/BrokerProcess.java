package io.meshmq.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One broker node as a real JVM: {@code java -Xmx256m -jar meshmq.jar --set ...}, its stdout and stderr copied line
 * by line to {@code target/process-logs/<name>.log} (a restart appends, after a marker line).
 *
 * <p>{@link #start()} returns once the node logs {@code listening on mqtt} (bounded). {@link #kill()} sends SIGKILL,
 * {@link #terminate(Duration)} SIGTERM and waits (bounded) for the exit, {@link #restart()} is both. Every process
 * started here is also registered with a JVM shutdown hook that kills it, so that nothing outlives the test JVM;
 * a pid file per node lets the next run kill a leftover of a test JVM that was itself SIGKILLed.
 */
public final class BrokerProcess {

  static final String READY_MARKER = "listening on mqtt";
  private static final Pattern JOINED = Pattern.compile("Node (\\S+) joined cluster '.*' with (\\d+) members");
  private static final Pattern HTTP_LISTENER = Pattern.compile("HTTP listener on http://\\S+:(\\d+)");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Every process any BrokerProcess started and that may still run; the shutdown hook kills them. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.destroyForcibly();
      }
    }, "broker-process-reaper"));
  }

  private final String name;
  private final Path jar;
  private final Path logFile;
  private final Path workDir;
  private final int mqttPort;
  private final List<String> settings;

  private volatile Process process;
  private volatile CompletableFuture<Void> ready;
  private volatile CompletableFuture<String> joined;
  private volatile String clusterNodeId;
  private volatile int membersAtJoin = -1;
  private volatile int httpPort = -1;
  private int starts;

  /**
   * @param settings {@code key=value} pairs passed as {@code --set}; the MQTT port is passed by the caller too, and
   *                 must be a fixed one: clients reconnect to the same URI after a restart
   */
  BrokerProcess(String name, Path jar, Path logDir, Path workDir, int mqttPort, Map<String, String> settings) {
    this.name = name;
    this.jar = jar;
    this.logFile = logDir.resolve(name + ".log");
    this.workDir = workDir;
    this.mqttPort = mqttPort;
    List<String> sets = new ArrayList<>();
    settings.forEach((k, v) -> sets.add(k + "=" + v));
    this.settings = List.copyOf(sets);
    try {
      Files.createDirectories(logDir);
      Files.createDirectories(workDir);
      Files.deleteIfExists(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    killLeftover();
  }

  public String name() {
    return name;
  }

  public int mqttPort() {
    return mqttPort;
  }

  public String uri() {
    return "tcp://127.0.0.1:" + mqttPort;
  }

  public Path logFile() {
    return logFile;
  }

  /** The Vert.x cluster node id it logged when it joined (null before, or if the line was not seen). */
  public String clusterNodeId() {
    return clusterNodeId;
  }

  /** The member count it logged when it joined the cluster (-1 if not seen). */
  public int membersAtJoin() {
    return membersAtJoin;
  }

  /** The status of GET /health/ready on {@code port}, or -1 when nothing answers (no such port, or it closed). */
  static int readiness(int port) {
    return health(port, "/health/ready", Duration.ofSeconds(2));
  }

  /**
   * The status of GET /health/cluster-safe on {@code port} (200: another node may go), or -1 when nothing answers in
   * time. The node asks the other members, so the answer can take longer than readiness.
   */
  static int clusterSafety(int port) {
    return health(port, "/health/cluster-safe", Duration.ofSeconds(10));
  }

  private static int health(int port, String path, Duration timeout) {
    if (port <= 0) {
      return -1;
    }
    try {
      HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(timeout).GET().build();
      return HTTP.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The port of its HTTP listener (health, metrics) as it logged it, or -1 before that line. */
  public int httpPort() {
    return httpPort;
  }

    public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** Launches the JVM; does not wait. */
  public synchronized void launch() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    // A node that stalls long enough to miss heartbeats splits the cluster: its GC pauses and safepoints show why.
    cmd.add("-Xlog:gc,safepoint:file=" + logFile.resolveSibling(name + "-gc-%p.log") + ":time");
    cmd.add("-jar");
    cmd.add(jar.toString());
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    // Configuration is strict: a stray MESHMQ_* variable of the test environment would change or stop the node.
    pb.environment().keySet().removeIf(k -> k.startsWith("MESHMQ_"));
    starts++;
    CompletableFuture<Void> readyNow = new CompletableFuture<>();
    CompletableFuture<String> joinedNow = new CompletableFuture<>();
    ready = readyNow;
    joined = joinedNow;
    clusterNodeId = null;
    membersAtJoin = -1;
    httpPort = -1;
    appendMarker("=== " + Clock.now() + " [test] start #" + starts + ": " + String.join(" ", cmd));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    process = p;
    LIVE.add(p);
    writePidFile(p.pid());
    Thread pump = new Thread(() -> pump(p, readyNow, joinedNow), "log-" + name + "-" + starts);
    pump.setDaemon(true);
    pump.start();
    p.onExit().thenRun(() -> {
      LIVE.remove(p);
      readyNow.completeExceptionally(new IllegalStateException(
          name + " exited with code " + p.exitValue() + " before it was ready; see " + logFile));
      joinedNow.complete(null);
    });
  }

  /** Launches the JVM and waits until it is ready. */
  public void start(Duration timeout) {
    launch();
    awaitReady(timeout);
  }

  /**
   * Waits for {@code listening on mqtt}, then (a few seconds at most) for the cluster join line that the node logs
   * right after its inbox is deployed. Kills the process if it does not get ready in time.
   */
  public void awaitReady(Duration timeout) {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String id = joined.get(10, TimeUnit.SECONDS);
      if (id == null) {
        Clock.log(name + ": no 'joined cluster' line after " + READY_MARKER + " (log format changed?)");
      }
    } catch (TimeoutException e) {
      if (!ready.isDone()) {
        kill();
        throw new IllegalStateException(name + " did not log '" + READY_MARKER + "' within " + timeout.toSeconds()
            + " s; killed it. Last lines of " + logFile + ":\n" + NodeLogs.tail(logFile, 30), e);
      }
      Clock.log(name + ": no 'joined cluster' line within 10 s of " + READY_MARKER + " (log format changed?)");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage() + "\nLast lines:\n" + NodeLogs.tail(logFile, 30), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    }
  }

  /** SIGKILL (Process.destroyForcibly on Linux); waits (bounded) until the process is gone. */
  public void kill() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    appendMarker("=== " + Clock.now() + " [test] SIGKILL " + name + " (pid " + p.pid() + ")");
    p.destroyForcibly();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        Clock.log("WARNING: " + name + " (pid " + p.pid() + ") still alive 15 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGSTOP: the process freezes with its sockets open, as a hung or partitioned machine looks to its peers, which
   * only notice through missing heartbeats. Undone by {@link #thaw()}; {@link #kill()} works on a frozen process.
   */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void thaw() {
    signal("CONT");
  }

  private void signal(String signal) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    appendMarker("=== " + Clock.now() + " [test] SIG" + signal + " " + name + " (pid " + p.pid() + ")");
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        k.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed: "
            + new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * SIGTERM (Process.destroy) and waits for the exit; if the process does not exit within {@code timeout} it is
   * killed and this throws.
   *
   * @return the exit code and how long the exit took
   */
  public Exit terminate(Duration timeout) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    appendMarker("=== " + Clock.now() + " [test] SIGTERM " + name + " (pid " + p.pid() + ")");
    long t0 = System.nanoTime();
    p.destroy();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new IllegalStateException(name + " did not exit within " + timeout.toSeconds()
            + " s of SIGTERM; killed it. Last lines:\n" + NodeLogs.tail(logFile, 30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    appendMarker("=== " + Clock.now() + " [test] " + name + " exited with code " + p.exitValue() + " after "
        + took.toMillis() + " ms");
    return new Exit(p.exitValue(), took);
  }

  /** SIGTERM, wait for the exit, start again on the same ports and wait until ready. */
  public Exit restart(Duration exitTimeout, Duration readyTimeout) {
    Exit exit = terminate(exitTimeout);
    start(readyTimeout);
    return exit;
  }

  /** How a SIGTERM ended. */
  public record Exit(int code, Duration took) {
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void pump(Process p, CompletableFuture<Void> readyNow, CompletableFuture<String> joinedNow) {
    try (InputStream in = p.getInputStream();
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
         Writer w = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
             StandardOpenOption.APPEND)) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (this) {
          w.write(line);
          w.write('\n');
          w.flush();
        }
        if (!readyNow.isDone() && line.contains(READY_MARKER)) {
          readyNow.complete(null);
        }
        Matcher http = HTTP_LISTENER.matcher(line);
        if (http.find()) {
          httpPort = Integer.parseInt(http.group(1));
        }
        if (!joinedNow.isDone()) {
          Matcher m = JOINED.matcher(line);
          if (m.find()) {
            clusterNodeId = m.group(1);
            membersAtJoin = Integer.parseInt(m.group(2));
            joinedNow.complete(clusterNodeId);
          }
        }
      }
    } catch (IOException e) {
      // the process is gone or the log cannot be written: the exit handler reports what matters
    }
  }

  private synchronized void appendMarker(String line) {
    try {
      Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      Clock.log("cannot write to " + logFile + ": " + e);
    }
  }

  private Path pidFile() {
    return workDir.resolve(name + ".pid");
  }

  private void writePidFile(long pid) {
    try {
      Files.writeString(pidFile(), Long.toString(pid));
    } catch (IOException e) {
      Clock.log("cannot write " + pidFile() + ": " + e);
    }
  }

  /**
   * A previous test JVM that was SIGKILLed could not run its shutdown hook: its broker of the same name, recorded
   * in the pid file, is killed if it still runs this jar.
   */
  private void killLeftover() {
    Path f = pidFile();
    if (!Files.exists(f)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(f).trim());
      ProcessHandle.of(pid).ifPresent(h -> {
        String cmd = h.info().commandLine().orElse("");
        if (cmd.contains(jar.getFileName().toString()) && cmd.contains("cluster.name=process-")) {
          Clock.log("killing leftover broker " + name + " (pid " + pid + ") of an earlier run");
          h.destroyForcibly();
        }
      });
      Files.deleteIfExists(f);
    } catch (IOException | NumberFormatException e) {
      // nothing usable recorded
    }
  }

  @Override
  public String toString() {
    return name + "(" + uri() + ", pid " + pid() + ")";
  }
}
