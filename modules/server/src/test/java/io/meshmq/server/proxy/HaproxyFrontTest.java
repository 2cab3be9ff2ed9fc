package io.meshmq.server.proxy;

import static io.meshmq.server.http.Http.object;
import static io.meshmq.server.http.Http.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.server.Launcher;
import io.meshmq.server.RunningServer;
import io.meshmq.server.config.SettingsCatalogs;
import io.meshmq.server.http.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real haproxy in TCP mode in front of three clustered nodes (started by the launcher in this JVM), each with
 * {@code listeners.tcp.proxy-protocol} on: one frontend balances round robin with {@code send-proxy} (PROXY v1),
 * another with {@code send-proxy-v2}. Clients connect from distinct loopback addresses (127.0.0.2, ...). The brokers
 * must see each client's own address, not haproxy's: in the admin API, and in the failed-login limit, where bad
 * logins from one address behind the proxy must not lock out another address behind the same proxy.
 *
 * <p>Skipped, saying so, only where haproxy is not installed (Debian: {@code apt-get install haproxy}; .ci/run
 * installs it).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HaproxyFrontTest {

  private static final String TOKEN = "haproxy-test-token";
  private static final String USER = "alice";
  private static final String PASSWORD = "wonderland";
  /** auth.failed-login-limit's default. */
  private static final int FAILED_LOGIN_LIMIT = 5;

  @TempDir
  static Path dir;

  private static final List<RunningServer> nodes = new ArrayList<>();
  private static Haproxy haproxy;
  private static int v1Port;
  private static int v2Port;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path binary = Haproxy.binary().orElse(null);
    Assumptions.assumeTrue(binary != null, "haproxy is not installed (Debian: apt-get install haproxy; .ci/run "
        + "installs it): the PROXY protocol behind a real haproxy is not tested here");
    Files.writeString(dir.resolve("passwords"),
        USER + ":" + PasswordHasher.hash(PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS) + "\n");
    String cluster = "haproxy-test-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      nodes.add(new Launcher(SettingsCatalogs.all(), Map.of(), dir).start(
          "--set", "cluster.enabled=true", "--set", "cluster.name=" + cluster,
          "--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
          "--set", "listeners.tcp.proxy-protocol=true", "--set", "http.port=0",
          "--set", "listeners.event-loops=2", "--set", "sys.interval-seconds=0",
          "--set", "auth.password-file=passwords", "--set", "auth.allow-anonymous=false",
          // The clients are on 127.0.0.x, which the limit exempts by default.
          "--set", "auth.failed-login-exempt-loopback=false",
          "--set", "admin.enabled=true", "--set", "admin.token=" + TOKEN));
    }
    for (RunningServer n : nodes) {
      await("node on " + n.httpPort() + " sees 3 members").atMost(Duration.ofSeconds(60))
          .until(() -> object(admin(n).get("/api/cluster")).getJsonArray("members").size() == 3);
    }
    v1Port = Haproxy.freePort();
    v2Port = Haproxy.freePort();
    haproxy = Haproxy.start(binary, dir, config(), List.of(v1Port, v2Port));
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    nodes.forEach(RunningServer::stop);
  }

  @AfterEach
  void closeClients() throws MqttException {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
  }

  @Test
  void theBrokerSeesTheClientsOwnAddressThroughPROXYv1() throws Exception {
    clientAddressIsTheClients(v1Port, "127.0.0.6");
  }

  @Test
  void theBrokerSeesTheClientsOwnAddressThroughPROXYv2() throws Exception {
    clientAddressIsTheClients(v2Port, "127.0.0.7");
  }

  @Test
  void badLoginsFromOneAddressBehindPROXYv1DoNotLockOutAnother() throws Exception {
    badLoginsLockOutOnlyTheirAddress(v1Port, "127.0.0.2", "127.0.0.3");
  }

  @Test
  void badLoginsFromOneAddressBehindPROXYv2DoNotLockOutAnother() throws Exception {
    badLoginsLockOutOnlyTheirAddress(v2Port, "127.0.0.4", "127.0.0.5");
  }

  /** A client through the frontend on {@code port} from {@code source}: the admin API of its node says so. */
  private void clientAddressIsTheClients(int port, String source) throws Exception {
    SourceBoundSockets sockets = new SourceBoundSockets(source);
    String id = "addr-" + source;
    assertThat(connect(port, id, sockets, PASSWORD)).as("CONNACK code").isZero();
    String expected = source + ":" + sockets.lastLocalPort();
    List<JsonObject> found = new ArrayList<>();
    for (RunningServer n : nodes) {
      HttpResponse<String> r = admin(n).get("/api/clients/" + id);
      if (r.statusCode() == 200) {
        found.add(object(r));
      }
    }
    assertThat(found).as("the client on one node, through haproxy (pid %d); haproxy said:\n%s", haproxy.pid(),
        haproxy.output()).singleElement()
        .satisfies(c -> assertThat(c.getString("address")).as("its address").isEqualTo(expected));
  }

  /**
   * Bad logins from {@code bad} until every node counted the limit's worth of them (round robin spreads them), then:
   * {@code bad} is refused even with the right password on every node, while {@code good}, behind the same haproxy
   * (the same socket peer for the brokers), gets in on every node.
   */
  private void badLoginsLockOutOnlyTheirAddress(int port, String bad, String good) throws Exception {
    SourceBoundSockets badSockets = new SourceBoundSockets(bad);
    double[] badCredentials = counts("bad_credentials");
    double[] blocked = counts("blocked");
    for (int attempt = 0; !allAtLeast(badCredentials, counts("bad_credentials"), FAILED_LOGIN_LIMIT); attempt++) {
      assertThat(attempt).as("bad logins needed to reach the limit on every node").isLessThan(12 * FAILED_LOGIN_LIMIT);
      connect(port, "bad-" + bad + "-" + attempt, badSockets, "nope");
    }
    for (int attempt = 0; !allAtLeast(blocked, counts("blocked"), 1); attempt++) {
      assertThat(attempt).as("logins from %s needed to meet every node's block", bad).isLessThan(20);
      assertThat(connect(port, "blocked-" + bad + "-" + attempt, badSockets, PASSWORD))
          .as("CONNACK code for %s with the right password once over the limit", bad).isEqualTo(5);
    }

    SourceBoundSockets goodSockets = new SourceBoundSockets(good);
    Set<String> nodesReached = new HashSet<>();
    for (int attempt = 0; attempt < 6; attempt++) {
      String id = "good-" + good + "-" + attempt;
      assertThat(connect(port, id, goodSockets, PASSWORD))
          .as("CONNACK code for %s (attempt %d) after %s was blocked everywhere", good, attempt, bad).isZero();
      for (RunningServer n : nodes) {
        if (admin(n).get("/api/clients/" + id).statusCode() == 200) {
          nodesReached.add(String.valueOf(n.httpPort()));
        }
      }
    }
    assertThat(nodesReached).as("nodes %s's clients reached (round robin: each of them)", good).hasSize(3);
  }

  /** Connects through haproxy; returns the CONNACK code (0: connected, kept open until the test ends). */
  private int connect(int port, String id, SourceBoundSockets sockets, String password) throws MqttException {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setSocketFactory(sockets);
    o.setUserName(USER);
    o.setPassword(password.toCharArray());
    o.setCleanSession(true);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(10);
    try {
      c.connect(o);
      clients.add(c);
      return 0;
    } catch (MqttException e) {
      c.close();
      return e.getReasonCode();
    }
  }

  /** Each node's meshmq_auth_failures_total for {@code reason}. */
  private static double[] counts(String reason) {
    return nodes.stream().mapToDouble(n -> sample(new Http(n.httpPort()).get("/metrics").body(),
        "meshmq_auth_failures_total", "reason=\"" + reason + "\"").orElseThrow()).toArray();
  }

  private static boolean allAtLeast(double[] before, double[] now, int delta) {
    for (int i = 0; i < before.length; i++) {
      if (now[i] - before[i] < delta) {
        return false;
      }
    }
    return true;
  }

  private static Http admin(RunningServer n) {
    return new Http(n.httpPort(), TOKEN);
  }

  private static String config() {
    StringBuilder b = new StringBuilder("""
        global
            maxconn 512
            nbthread 1
        defaults
            mode tcp
            timeout connect 5s
            timeout client 120s
            timeout server 120s
        """);
    for (String version : List.of("v1", "v2")) {
      b.append("frontend mqtt-").append(version).append('\n')
          .append("    bind 127.0.0.1:").append(version.equals("v1") ? v1Port : v2Port).append('\n')
          .append("    default_backend brokers-").append(version).append('\n')
          .append("backend brokers-").append(version).append('\n')
          .append("    balance roundrobin\n");
      for (int i = 0; i < nodes.size(); i++) {
        b.append("    server node").append(i).append(" 127.0.0.1:").append(nodes.get(i).mqttPort())
            .append(version.equals("v1") ? " send-proxy" : " send-proxy-v2").append('\n');
      }
    }
    return b.toString();
  }
}
