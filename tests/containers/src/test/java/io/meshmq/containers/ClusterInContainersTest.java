package io.meshmq.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Network.Ipam;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.lifecycle.Startables;

/**
 * A 3-node MeshMQ cluster in containers built from {@code k8s/Dockerfile}: routing across nodes, retained messages,
 * the loss of a node ({@code docker kill}) and a real network partition and its healing ({@code docker network
 * disconnect / connect}). Clients are MQTT 3.1.1 (Paho) on the host, through each node's published port.
 *
 * <p>Skipped, never passed, when no container engine answers or the base image of the broker image is missing (it is
 * not pulled: CI has no registry; {@code .ci/run} builds {@code local/meshmq-jre:17} from Debian). Another base image:
 * {@code -Dmeshmq.containers.baseImage=...} or {@code CONTAINER_TESTS_BASE_IMAGE=...}.
 *
 * <p>The tests run in order on one cluster; each node's whole output is written to
 * {@code target/container-logs/<node>.log} and, for a failed test, its end is printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ClusterInContainersTest.DumpLogsOnFailure.class)
class ClusterInContainersTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterInContainersTest.class);

  static final String BASE_IMAGE = setting("meshmq.containers.baseImage", "CONTAINER_TESTS_BASE_IMAGE",
      "local/meshmq-jre:17");
  static final String IMAGE_NAME = "local/meshmq-test";
  static final int MQTT_PORT = 1883;
  static final List<String> NAMES = List.of("node1", "node2", "node3");
  /** Each container's memory limit: the image's -XX:MaxRAMPercentage=75 sizes the heap from it. */
  static final long MEMORY_BYTES = 768L * 1024 * 1024;

  /** Why the tests cannot run here (no engine, no base image), or null. */
  static String skipReason;
  static Path root;
  static Network network;
  static final Map<String, GenericContainer<?>> nodes = new LinkedHashMap<>();
  static final Map<String, StringBuffer> output = new LinkedHashMap<>();
  static final Map<String, Integer> hostPorts = new LinkedHashMap<>();
  static final List<MqttClient> clients = new ArrayList<>();
  static final AtomicInteger sequence = new AtomicInteger();

  // ------------------------------------------------------------------------------------------------ set-up

  @BeforeAll
  @SuppressWarnings("deprecation") // withDockerfilePath: withDockerfile(Path) would pre-pull the FROM image
  static void startCluster() throws Exception {
    boolean engine;
    try {
      engine = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      // An engine answers but Testcontainers cannot start its helpers (typically: no registry to pull them from).
      throw new IllegalStateException("a container engine answers but Testcontainers cannot use it; without a"
          + " registry set TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_HOST_OVERRIDE=localhost and"
          + " TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE=local/debian:bookworm as .ci/run does", e);
    }
    // Not assumptions here: an aborted @BeforeAll would leave the tests out of the report (0 run, 0 skipped);
    // each test checks skipReason instead, so that they are reported as skipped.
    if (!engine) {
      skipReason = "no container engine answers (DOCKER_HOST / the local socket): container tests skipped";
      log.warn(skipReason);
      return;
    }
    DockerClient docker = DockerClientFactory.instance().client();
    if (!imageExists(docker, BASE_IMAGE)) {
      skipReason = "base image " + BASE_IMAGE + " is not present (it is never pulled; .ci/run builds it, or set"
          + " -Dmeshmq.containers.baseImage): container tests skipped";
      log.warn(skipReason);
      return;
    }

    root = Path.of(System.getProperty("meshmq.root", "../..")).toAbsolutePath().normalize();
    Path jar = root.resolve("modules/server/target/meshmq.jar");
    assertThat(jar).as("the runnable jar, built by modules/server before this module").isRegularFile();

    long t0 = System.nanoTime();
    String image = new ImageFromDockerfile(IMAGE_NAME, false)
        .withFileFromPath("k8s/Dockerfile", root.resolve("k8s/Dockerfile"))
        .withFileFromPath("k8s/docker-entrypoint.sh", root.resolve("k8s/docker-entrypoint.sh"))
        .withFileFromPath("conf", root.resolve("conf"))
        .withFileFromPath("modules/server/target/meshmq.jar", jar)
        .withDockerfilePath("k8s/Dockerfile")
        .withBuildArg("BASE_IMAGE", BASE_IMAGE)
        .get();
    log.info("built {} FROM {} in {} ms", image, BASE_IMAGE, (System.nanoTime() - t0) / 1_000_000);

    network = createNetwork(docker);
    for (String name : NAMES) {
      int hostPort = freePort();
      StringBuffer out = new StringBuffer();
      GenericContainer<?> c = new GenericContainer<>(image)
          .withNetwork(network)
          .withNetworkAliases(name)
          .withEnv("MESHMQ_CLUSTER_ENABLED", "true")
          .withEnv("MESHMQ_CLUSTER_MEMBERS", String.join(",", NAMES))
          .withEnv("MESHMQ_NODE_ID", name)
          // The image listens on 0.0.0.0, where anonymous clients are refused unless allowed explicitly.
          .withEnv("MESHMQ_AUTH_ALLOW_ANONYMOUS", "true")
          .withExposedPorts(MQTT_PORT)
          .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withMemory(MEMORY_BYTES))
          .withLogConsumer(frame -> appendFrame(out, frame))
          .waitingFor(Wait.forLogMessage("(?s).*listening on mqtt.*", 1).withStartupTimeout(Duration.ofSeconds(120)));
      // A fixed host port: it stays the same when the container is reconnected to the network after a partition.
      c.setPortBindings(List.of(hostPort + ":" + MQTT_PORT));
      nodes.put(name, c);
      output.put(name, out);
      hostPorts.put(name, hostPort);
    }
    try {
      t0 = System.nanoTime();
      Startables.deepStart(nodes.values()).get(150, TimeUnit.SECONDS);
      for (String name : NAMES) {
        awaitLog(name, 0, "Members {size:3", Duration.ofSeconds(60));
      }
      log.info("3-node cluster up in {} ms", (System.nanoTime() - t0) / 1_000_000);
    } catch (Throwable e) {
      dumpLogs("cluster start failed");
      throw e;
    }
  }

  @BeforeEach
  void skipWithoutEngine() {
    assumeTrue(skipReason == null, skipReason);
  }

  @AfterAll
  static void stopCluster() {
    for (MqttClient c : clients) {
      closeQuietly(c);
    }
    if (!nodes.isEmpty()) {
      writeLogs();
    }
    for (GenericContainer<?> c : nodes.values()) {
      try {
        c.stop();
      } catch (RuntimeException e) {
        log.warn("could not stop {}: {}", c.getContainerName(), e.toString());
      }
    }
    if (network != null) {
      try {
        network.close();
      } catch (RuntimeException e) {
        log.warn("could not remove the network: {}", e.toString());
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ tests

  @Test
  @Order(1)
  @Timeout(60)
  void qos1MessagesPublishedOnNode1ReachASubscriberOnNode3() throws Exception {
    Inbox inbox = new Inbox();
    MqttClient sub = connect("node3", "sub-qos1", true);
    sub.subscribe("qos1/#", 1, (topic, m) -> inbox.add(topic, m));
    MqttClient pub = connect("node1", "pub-qos1", true);

    // The route reaches node1 by a Hazelcast entry event shortly after the SUBACK: probe until it is there.
    publishUntilReceived(pub, "qos1/probe", inbox, Duration.ofSeconds(20));

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String payload = "m-" + i;
      pub.publish("qos1/data", payload.getBytes(StandardCharsets.UTF_8), 1, false);   // returns after the PUBACK
      sent.add(payload);
    }
    List<String> received = new ArrayList<>();
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      Delivery d;
      while ((d = inbox.poll()) != null) {
        if (d.topic.equals("qos1/data")) {
          assertThat(d.qos).isEqualTo(1);
          received.add(d.payload);
        }
      }
      return received.size() >= sent.size();
    });
    assertThat(received).as("every QoS 1 message, once, in publishing order").isEqualTo(sent);
  }

  @Test
  @Order(2)
  @Timeout(60)
  void retainedMessageSetOnNode1IsDeliveredToANewSubscriberOnNode2() throws Exception {
    MqttClient pub = connect("node1", "pub-retained", true);
    String payload = "retained-" + UUID.randomUUID();
    pub.publish("retained/a/b", payload.getBytes(StandardCharsets.UTF_8), 1, true);

    // Each attempt is a new subscriber (a retained message is sent on SUBSCRIBE); the wildcard look-up uses node2's
    // index of retained topics, filled by cluster events, so the first attempts may come too early.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Delivery got = null;
    for (int attempt = 1; got == null && System.nanoTime() < deadline; attempt++) {
      Inbox inbox = new Inbox();
      MqttClient sub = connect("node2", "sub-retained-" + attempt, true);
      sub.subscribe("retained/#", 1, (topic, m) -> inbox.add(topic, m));
      got = inbox.poll(Duration.ofSeconds(3));
      closeQuietly(sub);
    }
    assertThat(got).as("the retained message on a new subscriber of node2").isNotNull();
    assertThat(got.topic).isEqualTo("retained/a/b");
    assertThat(got.payload).isEqualTo(payload);
    assertThat(got.retained).as("retain flag of a message sent because of SUBSCRIBE").isTrue();
  }

  @Test
  @Order(3)
  @Timeout(120)
  void afterNode1IsKilledNode2AndNode3StillRouteBetweenEachOther() throws Exception {
    // Clients of node1 go first: they would only reconnect in vain.
    for (MqttClient c : List.copyOf(clients)) {
      if (c.getServerURI().endsWith(":" + hostPorts.get("node1"))) {
        closeQuietly(c);
        clients.remove(c);
      }
    }
    Inbox on3 = new Inbox();
    Inbox on2 = new Inbox();
    MqttClient sub3 = connect("node3", "sub-kill-3", true);
    sub3.subscribe("kill/to3/#", 1, (topic, m) -> on3.add(topic, m));
    MqttClient sub2 = connect("node2", "sub-kill-2", true);
    sub2.subscribe("kill/to2/#", 1, (topic, m) -> on2.add(topic, m));
    MqttClient pub2 = connect("node2", "pub-kill-2", true);
    MqttClient pub3 = connect("node3", "pub-kill-3", true);
    publishUntilReceived(pub2, "kill/to3/before", on3, Duration.ofSeconds(20));
    publishUntilReceived(pub3, "kill/to2/before", on2, Duration.ofSeconds(20));

    int mark2 = output.get("node2").length();
    int mark3 = output.get("node3").length();
    DockerClient docker = DockerClientFactory.instance().client();
    docker.killContainerCmd(nodes.get("node1").getContainerId()).exec();
    long killed = System.nanoTime();
    log.info("node1 killed");

    // The survivors declare node1 dead after cluster.member-timeout-seconds (10 s) ...
    awaitLog("node2", mark2, "Members {size:2", Duration.ofSeconds(45));
    awaitLog("node3", mark3, "Members {size:2", Duration.ofSeconds(45));
    log.info("node2 and node3 saw node1 leave after {} ms", (System.nanoTime() - killed) / 1_000_000);
    // ... and route between each other, both ways.
    publishUntilReceived(pub2, "kill/to3/after", on3, Duration.ofSeconds(30));
    publishUntilReceived(pub3, "kill/to2/after", on2, Duration.ofSeconds(30));
    log.info("node2 <-> node3 routing after the kill: {} ms", (System.nanoTime() - killed) / 1_000_000);
  }

  @Test
  @Order(4)
  @Timeout(180)
  void afterAPartitionHealsNode2RoutesToNode3Again() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    GenericContainer<?> node3 = nodes.get("node3");
    String ip = docker.inspectContainerCmd(node3.getContainerId()).exec()
        .getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();

    // A persistent session on node3: its subscription must survive the partition on node3, and node2 must get
    // node3's route back after the heal (node3 re-asserts its routes every 30 s).
    Inbox on3 = new Inbox();
    MqttConnectOptions persistent = options(false);
    MqttClient sub3 = connect("node3", "sub-partition-3", persistent);
    sub3.subscribe("part/#", 1, (topic, m) -> on3.add(topic, m));
    MqttClient pub2 = connect("node2", "pub-partition-2", true);
    publishUntilReceived(pub2, "part/before", on3, Duration.ofSeconds(20));

    int mark2 = output.get("node2").length();
    int mark3 = output.get("node3").length();
    docker.disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(node3.getContainerId()).exec();
    long cut = System.nanoTime();
    log.info("node3 ({}) disconnected from the network", ip);
    try {
      // A real partition: each side declares the other dead.
      awaitLog("node2", mark2, "Members {size:1", Duration.ofSeconds(45));
      awaitLog("node3", mark3, "Members {size:1", Duration.ofSeconds(45));
      log.info("both sides alone after {} ms", (System.nanoTime() - cut) / 1_000_000);
    } finally {
      // Heal: the same IP (cluster.host is fixed at start) and the same alias.
      docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(node3.getContainerId())
          .withContainerNetwork(new ContainerNetwork()
              .withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(ip))
              .withAliases("node3"))
          .exec();
    }
    long healed = System.nanoTime();
    log.info("node3 reconnected after {} ms of partition", (healed - cut) / 1_000_000);

    // The subscriber's connection went down with node3's network; it comes back to the same session.
    Consumer<Integer> reconnect = n -> {
      if (!sub3.isConnected()) {
        try {
          boolean sessionPresent = sub3.connectWithResult(persistent).getSessionPresent();
          log.info("subscriber reconnected to node3 (session present: {})", sessionPresent);
        } catch (MqttException e) {
          log.debug("subscriber reconnect: {}", e.toString());
        }
      }
    };
    publishUntilReceived(pub2, "part/after", on3, Duration.ofSeconds(90), reconnect);
    log.info("node2 -> node3 routing {} ms after the heal", (System.nanoTime() - healed) / 1_000_000);
    String node2Log = output.get("node2").substring(mark2);
    String node3Log = output.get("node3").substring(mark3);
    assertThat(node2Log + node3Log).as("the two sides merged back into one cluster").contains("Members {size:2");
  }

  // ------------------------------------------------------------------------------------------------ MQTT helpers

  static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(cleanSession);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setKeepAliveInterval(10);
    o.setConnectionTimeout(10);
    o.setAutomaticReconnect(false);
    o.setMaxInflight(100);
    return o;
  }

  static MqttClient connect(String node, String clientId, boolean cleanSession) throws MqttException {
    return connect(node, clientId, options(cleanSession));
  }

  static MqttClient connect(String node, String clientId, MqttConnectOptions options) throws MqttException {
    MqttClient c = new MqttClient("tcp://" + nodes.get(node).getHost() + ":" + hostPorts.get(node), clientId,
        new MemoryPersistence());
    c.setTimeToWait(10_000);
    c.connect(options);
    clients.add(c);
    return c;
  }

  static void publishUntilReceived(MqttClient pub, String topic, Inbox inbox, Duration max) {
    publishUntilReceived(pub, topic, inbox, max, n -> { });
  }

  /**
   * Publishes QoS 1 messages on {@code topic}, one a second, until one of them arrives in {@code inbox}; fails after
   * {@code max}. {@code beforeEach} runs before each publication (with its number).
   */
  static void publishUntilReceived(MqttClient pub, String topic, Inbox inbox, Duration max,
      Consumer<Integer> beforeEach) {
    String prefix = "probe-" + sequence.incrementAndGet() + "-";
    Set<String> sent = new HashSet<>();
    AtomicInteger n = new AtomicInteger();
    await("a message on " + topic + " published on " + pub.getServerURI())
        .atMost(max).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
          beforeEach.accept(n.get());
          String payload = prefix + n.incrementAndGet();
          try {
            pub.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
            sent.add(payload);
          } catch (MqttException e) {
            log.debug("publish on {}: {}", topic, e.toString());
          }
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          for (Delivery d; (d = inbox.poll(Duration.ofNanos(Math.max(0, until - System.nanoTime())))) != null; ) {
            if (d.topic.equals(topic) && d.payload.startsWith(prefix)) {
              return true;
            }
          }
          return false;
        });
  }

  static void closeQuietly(MqttClient c) {
    try {
      if (c.isConnected()) {
        c.disconnect(1000);
      }
    } catch (MqttException | RuntimeException ignored) {
      // best effort
    }
    try {
      c.close(true);
    } catch (MqttException | RuntimeException ignored) {
      // best effort
    }
  }

  record Delivery(String topic, String payload, int qos, boolean retained) {
  }

  static final class Inbox {
    private final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();

    void add(String topic, MqttMessage m) {
      queue.add(new Delivery(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(), m.isRetained()));
    }

    Delivery poll() {
      return queue.poll();
    }

    Delivery poll(Duration wait) throws InterruptedException {
      return queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  // ------------------------------------------------------------------------------------------------ containers

  static String setting(String property, String env, String fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  static boolean imageExists(DockerClient docker, String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /**
   * A bridge network with a subnet of its own: only then does Docker let a container be reconnected with the same
   * IP, which a healed partition needs (a node's cluster.host is fixed at start). The subnet is a free /24 of
   * 172.31.0.0/16.
   */
  static Network createNetwork(DockerClient docker) {
    Set<String> taken = new HashSet<>();
    docker.listNetworksCmd().exec().forEach(n -> {
      if (n.getIpam() != null && n.getIpam().getConfig() != null) {
        n.getIpam().getConfig().forEach(c -> taken.add(c.getSubnet()));
      }
    });
    RuntimeException last = null;
    for (int attempt = 0; attempt < 8; attempt++) {
      String subnet = "172.31." + ThreadLocalRandom.current().nextInt(0, 256) + ".0/24";
      if (taken.contains(subnet)) {
        continue;
      }
      Network n = Network.builder()
          .createNetworkCmdModifier(cmd -> cmd.withName("meshmq-test-" + UUID.randomUUID().toString().substring(0, 8))
              .withIpam(new Ipam().withConfig(new Ipam.Config().withSubnet(subnet))))
          .build();
      try {
        n.getId();
        log.info("network {} on {}", n.getId(), subnet);
        return n;
      } catch (RuntimeException e) {
        last = e;
        log.info("network on {} refused ({}), trying another subnet", subnet, e.toString());
        n.close();
      }
    }
    throw new IllegalStateException("could not create a network with a free 172.31.x.0/24 subnet", last);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void appendFrame(StringBuffer out, OutputFrame frame) {
    if (frame.getType() != OutputFrame.OutputType.END) {
      out.append(frame.getUtf8String());
    }
  }

  /** Waits until the node's output after {@code from} contains {@code text}. */
  static void awaitLog(String node, int from, String text, Duration max) {
    await(node + " logs '" + text + "'").atMost(max).pollInterval(Duration.ofMillis(200))
        .until(() -> output.get(node).indexOf(text, from) >= 0);
  }

  static void writeLogs() {
    Path dir = Path.of("target", "container-logs");
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, StringBuffer> e : output.entrySet()) {
        Files.writeString(dir.resolve(e.getKey() + ".log"), e.getValue());
      }
      log.info("container output in {}", dir.toAbsolutePath());
    } catch (IOException e) {
      log.warn("could not write the container logs: {}", e.toString());
    }
  }

  static void dumpLogs(String why) {
    writeLogs();
    StringBuilder b = new StringBuilder("\n===== ").append(why).append(": end of each node's output =====\n");
    for (Map.Entry<String, StringBuffer> e : output.entrySet()) {
      String all = e.getValue().toString();
      String[] lines = all.split("\n");
      int from = Math.max(0, lines.length - 150);
      b.append("----- ").append(e.getKey()).append(" (last ").append(lines.length - from).append(" of ")
          .append(lines.length).append(" lines; all in target/container-logs/").append(e.getKey()).append(".log)\n");
      for (int i = from; i < lines.length; i++) {
        b.append(lines[i]).append('\n');
      }
    }
    log.error(b.toString());
  }

  /** Prints the end of each node's output when a test fails. */
  static final class DumpLogsOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (!output.isEmpty()) {
        dumpLogs(context.getDisplayName() + " failed");
      }
    }
  }
}
