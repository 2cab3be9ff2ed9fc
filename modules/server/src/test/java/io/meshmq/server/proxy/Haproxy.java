package io.meshmq.server.proxy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real haproxy (Debian's package) run as a child process of the test: a generated configuration in a directory
 * of the test's, in the foreground ({@code -db}), its output in {@code haproxy.log} beside it; stopped by its pid.
 */
final class Haproxy implements AutoCloseable {

  private final Process process;
  private final Path log;

  private Haproxy(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The haproxy executable, if this machine has one. */
  static Optional<Path> binary() {
    Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "haproxy"));
    return Stream.concat(onPath, Stream.of(Path.of("/usr/sbin/haproxy"))).filter(Files::isExecutable).findFirst();
  }

  /**
   * Checks the configuration ({@code haproxy -c}), starts haproxy and waits (bounded) until every port of
   * {@code listening} accepts connections.
   */
  static Haproxy start(Path binary, Path dir, String config, List<Integer> listening) throws IOException {
    Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), config);
    Path log = dir.resolve("haproxy.log");
    Process check = new ProcessBuilder(binary.toString(), "-c", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy-check.log").toFile()).start();
    try {
      if (!check.waitFor(20, TimeUnit.SECONDS) || check.exitValue() != 0) {
        check.destroyForcibly();
        throw new IllegalStateException("haproxy -c refused " + cfg + ":\n"
            + Files.readString(dir.resolve("haproxy-check.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Process p = new ProcessBuilder(binary.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    Haproxy haproxy = new Haproxy(p, log);
    try {
      await("haproxy (pid " + p.pid() + ") listening on " + listening).atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("haproxy exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            return listening.stream().allMatch(Haproxy::accepts);
          });
    } catch (RuntimeException e) {
      haproxy.close();
      throw e;
    }
    return haproxy;
  }

  long pid() {
    return process.pid();
  }

  /** What haproxy wrote (warnings, alerts), for failure reports. */
  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** SIGTERM to its pid, then SIGKILL if it has not exited within 10 s. */
  @Override
  public void close() {
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handle.destroyForcibly();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A loopback port free now, below the kernel's ephemeral range (32768 and up): haproxy binds it a moment later,
   * and a port of the ephemeral range could meanwhile become the local end of any outgoing connection.
   */
  static int freePort() {
    Random random = new Random();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int candidate = 20_000 + random.nextInt(12_000);
      try (ServerSocket s = new ServerSocket(candidate, 50, InetAddress.getLoopbackAddress())) {
        return candidate;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
  }
}
