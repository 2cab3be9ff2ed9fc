package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.server.config.SettingsCatalogs;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher builds the authenticator and authorizer from the auth.* settings (files relative to the working dir). */
class LauncherSecurityTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void passwordAndAclFilesFromSettingsAreEnforced() throws Exception {
    assertThat(PasswdTool.run(new BufferedReader(new StringReader("wonderland\n")), null,
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        dir.resolve("passwords").toString(), "add", "alice")).isZero();
    Files.write(dir.resolve("acl"), List.of("allow user * both users/%u/#"));
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), dir);
    RunningServer server = launcher.start("--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
        "--set", "http.port=0", "--set", "auth.password-file=passwords", "--set", "auth.acl-file=acl",
        "--set", "auth.allow-anonymous=false");
    try {
      String uri = "tcp://127.0.0.1:" + server.mqttPort();
      assertThat(connectCode(uri, null, null)).isEqualTo(5);
      assertThat(connectCode(uri, "alice", "nope")).isEqualTo(4);
      MqttClient alice = connect(uri, "alice", "wonderland");
      int[] granted = alice.subscribeWithResponse(new String[] {"users/alice/#", "users/bob/#"}, new int[] {1, 1})
          .getGrantedQos();
      assertThat(granted).containsExactly(1, 0x80);
      alice.disconnect();
      alice.close();
    } finally {
      server.stop();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void clusterNodesEnforceTheSameFiles() throws Exception {
    assertThat(PasswdTool.run(new BufferedReader(new StringReader("wonderland\n")), null,
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        dir.resolve("passwords").toString(), "add", "alice")).isZero();
    Files.write(dir.resolve("acl"), List.of("allow user * both users/%u/#"));
    String cluster = "security-test-" + java.util.UUID.randomUUID();
    List<RunningServer> nodes = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        nodes.add(new Launcher(SettingsCatalogs.all(), Map.of(), dir).start("--set", "cluster.enabled=true",
            "--set", "cluster.name=" + cluster, "--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
            "--set", "http.port=0", "--set", "listeners.event-loops=2", "--set", "sys.interval-seconds=0",
            "--set", "auth.password-file=passwords", "--set", "auth.acl-file=acl", "--set", "auth.allow-anonymous=false"));
      }
      String uri1 = "tcp://127.0.0.1:" + nodes.get(0).mqttPort();
      String uri2 = "tcp://127.0.0.1:" + nodes.get(1).mqttPort();
      for (String uri : List.of(uri1, uri2)) {
        assertThat(connectCode(uri, null, null)).isEqualTo(5);
        assertThat(connectCode(uri, "alice", "nope")).isEqualTo(4);
      }
      MqttClient sub = connect(uri2, "alice", "wonderland");
      java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
      assertThat(sub.subscribeWithResponse(new String[] {"users/alice/#", "users/bob/#"}, new int[] {1, 1},
          new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {(t, m) -> got.add(t), (t, m) -> got.add(t)})
          .getGrantedQos()).containsExactly(1, 0x80);
      MqttClient pub = connect(uri1, "alice", "wonderland");
      pub.publish("users/bob/x", "denied".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
      // Routes reach the other node asynchronously; publish until the allowed message arrives.
      String first = null;
      for (int i = 0; i < 20 && first == null; i++) {
        pub.publish("users/alice/x", "ok".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
        first = got.poll(500, TimeUnit.MILLISECONDS);
      }
      assertThat(first).isEqualTo("users/alice/x");
      assertThat(got).doesNotContain("users/bob/x");
      pub.disconnect();
      pub.close();
      sub.disconnect();
      sub.close();
    } finally {
      for (RunningServer n : nodes) {
        n.stop();
      }
    }
  }

  /**
   * Each node of a cluster reloads its own copy of the ACL file (here both read the same file) and removes the
   * subscriptions of its own sessions that the new rules deny: subscribers on both nodes stop receiving.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aChangedAclRemovesDeniedSubscriptionsOnEveryNode() throws Exception {
    assertThat(PasswdTool.run(new BufferedReader(new StringReader("wonderland\n")), null,
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        dir.resolve("passwords").toString(), "add", "alice")).isZero();
    Path acl = Files.write(dir.resolve("acl"), List.of("allow user * both users/%u/#", "allow all * both news/#"));
    String cluster = "acl-reload-test-" + java.util.UUID.randomUUID();
    List<RunningServer> nodes = new java.util.ArrayList<>();
    List<MqttClient> clients = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        nodes.add(new Launcher(SettingsCatalogs.all(), Map.of(), dir).start("--set", "cluster.enabled=true",
            "--set", "cluster.name=" + cluster, "--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
            "--set", "http.port=0", "--set", "listeners.event-loops=2", "--set", "sys.interval-seconds=0",
            "--set", "auth.password-file=passwords", "--set", "auth.acl-file=acl", "--set", "auth.allow-anonymous=false"));
      }
      java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
      for (int i = 0; i < 2; i++) {
        MqttClient sub = connect("tcp://127.0.0.1:" + nodes.get(i).mqttPort(), "alice", "wonderland");
        clients.add(sub);
        String node = "node" + (i + 1);
        assertThat(sub.subscribeWithResponse(new String[] {"news/#", "users/alice/#"}, new int[] {1, 1},
            new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {(t, m) -> got.add(node + ":" + t),
                (t, m) -> got.add(node + ":" + t)}).getGrantedQos()).containsExactly(1, 1);
      }
      MqttClient pub = connect("tcp://127.0.0.1:" + nodes.get(0).mqttPort(), "alice", "wonderland");
      clients.add(pub);
      java.util.Set<String> before = deliveries(pub, got);
      assertThat(before).as("news reaches both nodes' subscribers before the change")
          .contains("node1:news/x", "node2:news/x");

      // Publishing to news/ stays allowed: only the subscriptions lose their rule.
      Files.write(acl, List.of("allow user * both users/%u/#", "allow all * publish news/#"));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> deliveries(pub, got).stream().noneMatch(t -> t.endsWith(":news/x")));
      assertThat(deliveries(pub, got)).as("the allowed subscriptions stay on both nodes")
          .containsExactlyInAnyOrder("node1:users/alice/x", "node2:users/alice/x");
      assertThat(clients).allMatch(MqttClient::isConnected);
    } finally {
      for (MqttClient c : clients) {
        if (c.isConnected()) {
          c.disconnect();
        }
        c.close();
      }
      for (RunningServer n : nodes) {
        n.stop();
      }
    }
  }

  /**
   * Publishes news/x then users/alice/x until both subscribers have the second (routes cross nodes asynchronously),
   * and returns everything delivered in that round as node:topic.
   */
  private static java.util.Set<String> deliveries(MqttClient pub, java.util.concurrent.BlockingQueue<String> got)
      throws Exception {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int attempt = 0; attempt < 20; attempt++) {
      pub.publish("news/x", "n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
      pub.publish("users/alice/x", "u".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      String t;
      while ((t = got.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
        seen.add(t);
      }
      if (seen.contains("node1:users/alice/x") && seen.contains("node2:users/alice/x")) {
        return seen;
      }
    }
    throw new AssertionError("users/alice/x did not reach both nodes' subscribers: " + seen);
  }

  @Test
  void anInvalidAclFileStopsTheStartNamingTheLine() throws Exception {
    Files.write(dir.resolve("acl"), List.of("allow everyone both #"));
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), dir);
    assertThatThrownBy(() -> launcher.start("--set", "listeners.tcp.port=0", "--set", "http.port=0",
        "--set", "auth.acl-file=acl"))
        .isInstanceOf(StartupException.class).hasMessageContaining("line 1:");
    assertThatThrownBy(() -> launcher.start("--set", "listeners.tcp.port=0", "--set", "http.port=0",
        "--set", "auth.password-file=missing"))
        .isInstanceOf(StartupException.class).hasMessageContaining("missing");
  }

  private static MqttClient connect(String uri, String user, String password) throws MqttException {
    MqttClient c = new MqttClient(uri, "c-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    c.connect(o);
    return c;
  }

  private static int connectCode(String uri, String user, String password) {
    try {
      MqttClient c = connect(uri, user, password);
      c.disconnect();
      c.close();
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }
}
