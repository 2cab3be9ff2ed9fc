package io.meshmq.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * N clustered broker JVMs on loopback, named {@code <test>-a}, {@code <test>-b}, ... Each cluster has a unique
 * {@code cluster.name} and its own Hazelcast member ports (listed explicitly in {@code cluster.members}), so that
 * concurrent clusters on the machine (other test JVMs, other engineers' runs) never meet. The MQTT ports are fixed
 * for the life of the cluster: a restarted node listens where its clients reconnect.
 */
public final class ProcessCluster implements AutoCloseable {

  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private static Path jarCopy;

  private final String clusterName;
  private final List<BrokerProcess> nodes = new ArrayList<>();

  private ProcessCluster(String clusterName) {
    this.clusterName = clusterName;
  }

  /**
   * Starts {@code size} nodes: the first alone (it becomes the Hazelcast master), then the others together, each
   * waited for (bounded by {@link #READY_TIMEOUT}). If anything fails, every process started so far is killed.
   *
   * @param extraSettings {@code --set} overrides for every node, e.g. {@code cluster.member-timeout-seconds}
   */
  public static ProcessCluster start(String testName, int size, Map<String, String> extraSettings) {
    String prefix = testName.toLowerCase(Locale.ROOT);
    ProcessCluster cluster = new ProcessCluster("process-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      int[] ports = freePorts(2 * size);
      String members = java.util.stream.IntStream.range(0, size).mapToObj(i -> "127.0.0.1:" + ports[size + i])
          .collect(Collectors.joining(","));
      Path logs = Path.of(System.getProperty("meshmq.process.logs", "target/process-logs"));
      Path work = Path.of(System.getProperty("meshmq.process.work", "target/process-work"));
      Path jar = jar(work);
      for (int i = 0; i < size; i++) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("cluster.enabled", "true");
        s.put("cluster.name", cluster.clusterName);
        s.put("cluster.port", String.valueOf(ports[size + i]));
        s.put("cluster.members", members);
        s.put("listeners.tcp.host", "127.0.0.1");
        s.put("listeners.tcp.port", String.valueOf(ports[i]));
        s.put("http.port", "0"); // never the shared default 8080, whenever the HTTP listener arrives
        s.put("log.level", "info");
        s.putAll(extraSettings);
        cluster.nodes.add(new BrokerProcess(prefix + "-" + (char) ('a' + i), jar, logs, work, ports[i], s));
      }
      Clock.log("starting cluster " + cluster.clusterName + ": " + cluster.nodes + ", Hazelcast members " + members
          + ", logs in " + logs.toAbsolutePath());
      long t0 = System.nanoTime();
      cluster.nodes.get(0).start(READY_TIMEOUT);
      List<CompletableFuture<Void>> rest = new ArrayList<>();
      for (int i = 1; i < size; i++) {
        BrokerProcess n = cluster.nodes.get(i);
        n.launch();
        rest.add(CompletableFuture.runAsync(() -> n.awaitReady(READY_TIMEOUT)));
      }
      try {
        CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      int seen = cluster.nodes.stream().mapToInt(BrokerProcess::membersAtJoin).max().orElse(-1);
      if (seen != -1 && seen != size) {
        throw new IllegalStateException("the last node to join saw " + seen + " members, not " + size
            + ": the nodes did not form one cluster; see " + logs.toAbsolutePath());
      }
      cluster.awaitReadiness(READY_TIMEOUT);
      Clock.log("cluster " + cluster.clusterName + " ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
          + cluster.nodes.stream().map(n -> n.name() + "=" + n.clusterNodeId()).collect(Collectors.joining(", ")));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public String clusterName() {
    return clusterName;
  }

  public BrokerProcess node(int i) {
    return nodes.get(i);
  }

  public List<BrokerProcess> nodes() {
    return List.copyOf(nodes);
  }

  public int size() {
    return nodes.size();
  }

  /** The node listening on this MQTT port's URI, or the URI itself. */
  public String nameOf(String uri) {
    for (BrokerProcess n : nodes) {
      if (uri != null && uri.endsWith(":" + n.mqttPort())) {
        return n.name();
      }
    }
    return uri;
  }

  /**
   * Waits until every node answers 200 on /health/ready (it serves MQTT), then until the cluster is safe (every
   * partition's backups in sync), as a rolling restart does before it stops another node: right after the nodes join,
   * partitions migrate, and a node killed before its backups caught up can take the latest writes of its partitions
   * with it (seen: a subscription saved 2 s before a SIGKILL, during the migration).
   */
  void awaitReadiness(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BrokerProcess n : nodes) {
      awaitStatus(n, "/health/ready", () -> BrokerProcess.readiness(n.httpPort()), deadline);
    }
    awaitClusterSafe(deadline);
  }

  /** Waits until every running node answers 200 on /health/cluster-safe, as Kubernetes' preStop hook does. */
  private void awaitClusterSafe(long deadline) {
    for (BrokerProcess n : nodes) {
      if (n.isAlive()) {
        awaitStatus(n, "/health/cluster-safe", () -> BrokerProcess.clusterSafety(n.httpPort()), deadline);
      }
    }
  }

  private static void awaitStatus(BrokerProcess n, String path, java.util.function.IntSupplier status, long deadline) {
    int[] last = {-1};
    try {
      Awaitility.await(n.name() + " " + path)
          .atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> (last[0] = status.getAsInt()) == 200);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(n.name() + " " + path + " not 200 in time (last answer " + last[0] + ")", e);
    }
  }

  /**
   * Restarts node {@code i} as a rolling restart on Kubernetes does: wait until the cluster is safe (the preStop
   * hook: the previous restart's migrations are over), SIGTERM, wait for the exit (bounded), start again on the same
   * ports, wait until ready; then checks that it joined the others rather than forming a cluster of its own.
   */
  public BrokerProcess.Exit restart(int i, Duration exitTimeout) {
    BrokerProcess n = nodes.get(i);
    awaitClusterSafe(System.nanoTime() + READY_TIMEOUT.toNanos());
    BrokerProcess.Exit exit = n.restart(exitTimeout, READY_TIMEOUT);
    if (n.membersAtJoin() != -1 && n.membersAtJoin() != size()) {
      throw new IllegalStateException(n.name() + " rejoined seeing " + n.membersAtJoin() + " members, not " + size());
    }
    return exit;
  }

  /** Starts again (one by one, each waited for) every node that is not running, e.g. after a kill. */
  public void ensureAllRunning() {
    for (BrokerProcess n : nodes) {
      if (!n.isAlive()) {
        Clock.log("starting " + n.name() + " again");
        n.start(READY_TIMEOUT);
        if (n.membersAtJoin() != -1 && n.membersAtJoin() != size()) {
          throw new IllegalStateException(n.name() + " rejoined seeing " + n.membersAtJoin() + " members, not "
              + size());
        }
      }
    }
  }

  /** Every node's WARN/ERROR lines and the test's markers: for failure reports. */
  public String warnings(int maxPerNode) {
    StringBuilder b = new StringBuilder();
    for (BrokerProcess n : nodes) {
      b.append("--- ").append(n.logFile()).append(" (warnings, errors, test markers)\n")
          .append(NodeLogs.warnings(n.logFile(), maxPerNode)).append('\n');
    }
    return b.toString();
  }

  /** Every node's lines between two instants: for failure reports. */
  public String window(long fromMillis, long toMillis, int maxPerNode) {
    StringBuilder b = new StringBuilder();
    for (BrokerProcess n : nodes) {
      b.append("--- ").append(n.logFile()).append(" ").append(Clock.format(fromMillis)).append(" .. ")
          .append(Clock.format(toMillis)).append('\n').append(NodeLogs.window(n.logFile(), fromMillis, toMillis,
              maxPerNode)).append('\n');
    }
    return b.toString();
  }

  /** SIGKILLs every node still running. Never throws. */
  @Override
  public void close() {
    for (BrokerProcess n : nodes) {
      try {
        n.kill();
      } catch (RuntimeException e) {
        Clock.log("could not kill " + n + ": " + e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * The shaded jar of modules/server, copied once per test JVM into the work directory: the nodes of a test run the
   * same bits even if the jar is rebuilt meanwhile. A jar caught half-written is waited for (bounded).
   */
  static synchronized Path jar(Path work) {
    if (jarCopy != null) {
      return jarCopy;
    }
    Path source = Path.of(System.getProperty("meshmq.jar", "../../modules/server/target/meshmq.jar"))
        .toAbsolutePath().normalize();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      if (!Files.isRegularFile(source)) {
        throw new IllegalStateException(source + " is missing: build it first (mvn -o -DskipTests package -pl "
            + "modules/server -am, or run this module in the reactor)");
      }
      try {
        Files.createDirectories(work);
        Path copy = work.resolve("meshmq.jar");
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        try (JarFile j = new JarFile(copy.toFile())) {
          if (j.getManifest() == null || j.getManifest().getMainAttributes().getValue("Main-Class") == null) {
            throw new IOException("no Main-Class in " + source);
          }
        }
        jarCopy = copy;
        Clock.log("nodes run " + source + " (copied to " + copy + ")");
        return copy;
      } catch (IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new UncheckedIOException("unusable jar " + source, e);
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }

  /**
   * Ports that are free now, below the kernel's ephemeral range (32768 and up on Linux): a node may start seconds
   * after its ports were chosen, and a port of the ephemeral range can meanwhile become the local end of any
   * outgoing connection on the machine (the broker then binds the next port, which nobody knows).
   */
  private static int[] freePorts(int n) {
    java.util.Random random = new java.util.Random();
    int[] ports = new int[n];
    java.util.Set<Integer> chosen = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      for (int attempt = 0; ; attempt++) {
        int candidate = 20_000 + random.nextInt(12_000);
        if (chosen.contains(candidate)) {
          continue;
        }
        try (ServerSocket s = new ServerSocket(candidate, 50, InetAddress.getLoopbackAddress())) {
          ports[i] = candidate;
          chosen.add(candidate);
          break;
        } catch (IOException e) {
          if (attempt > 1000) {
            throw new UncheckedIOException("no free port between 20000 and 32000", e);
          }
        }
      }
    }
    return ports;
  }

}
