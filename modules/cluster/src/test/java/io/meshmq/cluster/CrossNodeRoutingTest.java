package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three clustered nodes in one JVM with real MQTT clients on different nodes. */
class CrossNodeRoutingTest {

  private static ClusterFixture cluster;
  private final List<MqttClient> clients = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startCluster() {
    cluster = ClusterFixture.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @org.junit.jupiter.api.AfterEach
  void closeClients() {
    for (MqttClient c : clients) {
      try {
        if (c.isConnected()) {
          c.disconnectForcibly(100, 100);
        }
        c.close();
      } catch (MqttException e) {
        // best effort
      }
    }
  }

  private MqttClient connect(int node, String id, boolean clean) throws MqttException {
    MqttClient c = new MqttClient(cluster.uri(node), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    // Paho's synchronous publish can see its in-flight count before the previous PUBACK decremented it.
    o.setMaxInflight(1000);
    c.connect(o);
    clients.add(c);
    return c;
  }

  /** Subscribes, then waits until a probe published on {@code fromNode} arrives: the route has propagated. */
  private BlockingQueue<String> subscribeAndAwaitRoute(MqttClient sub, String filter, int qos, int fromNode, String probeTopic)
      throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    BlockingQueue<String> probes = new LinkedBlockingQueue<>();
    sub.subscribe(filter, qos, (t, m) -> (t.equals(probeTopic) ? probes : got)
        .add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + "@" + m.getQos()));
    MqttClient prober = connect(fromNode, "prober-" + System.nanoTime(), true);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      prober.publish(probeTopic, "probe".getBytes(StandardCharsets.UTF_8), 0, false);
      return probes.poll(50, TimeUnit.MILLISECONDS) != null;
    });
    return got;
  }

  @Test
  void publishOnOneNodeReachesSubscribersOnTheOthersAtEveryQos() throws Exception {
    MqttClient subB = connect(1, "sub-b", true);
    MqttClient subC = connect(2, "sub-c", true);
    BlockingQueue<String> onB = subscribeAndAwaitRoute(subB, "x/#", 2, 0, "x/probe");
    BlockingQueue<String> onC = subscribeAndAwaitRoute(subC, "x/+", 2, 0, "x/probe");
    onB.clear();
    MqttClient pub = connect(0, "pub-a", true);
    for (int qos = 0; qos <= 2; qos++) {
      pub.publish("x/q" + qos, ("m" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
    }
    for (BlockingQueue<String> q : List.of(onB, onC)) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String s = q.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        got.add(s);
      }
      assertThat(got).containsExactly("x/q0=m0@0", "x/q1=m1@1", "x/q2=m2@2");
    }
    assertThat(onB.poll(300, TimeUnit.MILLISECONDS)).as("QoS 2 exactly once").isNull();
  }

  @Test
  void orderPerPublisherIsKeptAcrossNodes() throws Exception {
    MqttClient sub = connect(2, "order-sub", true);
    BlockingQueue<String> got = subscribeAndAwaitRoute(sub, "order/#", 1, 0, "order/probe");
    MqttClient pub = connect(0, "order-pub", true);
    int n = 300;
    for (int i = 0; i < n; i++) {
      pub.publish("order/t", String.valueOf(i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    for (int i = 0; i < n; i++) {
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("order/t=" + i + "@1");
    }
  }

  @Test
  void retainedMessageSetOnOneNodeIsSeenOnAnotherAndClearedFromAThird() throws Exception {
    MqttClient pub = connect(0, "ret-pub", true);
    pub.publish("ret/a", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
    MqttClient late = connect(2, "ret-late", true);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      late.subscribe("ret/#", 1, (t, m) -> got.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + ":" + m.isRetained()));
      String s = got.poll(200, TimeUnit.MILLISECONDS);
      late.unsubscribe("ret/#");
      return "ret/a=kept:true".equals(s);
    });
    MqttClient clearer = connect(1, "ret-clear", true);
    clearer.publish("ret/a", new byte[0], 1, true);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        cluster.node(0).broker().node().retained().size() == 0 && cluster.node(2).broker().node().retained().size() == 0);
    got.clear();
    late.subscribe("ret/#", 1, (t, m) -> got.add(t));
    assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void sameClientIdOnAnotherNodeTakesTheFirstConnectionOver() throws Exception {
    MqttClient first = connect(0, "roamer", true);
    BlockingQueue<Throwable> lost = new LinkedBlockingQueue<>();
    first.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.add(cause);
      }

      @Override
      public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
      }

      @Override
      public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
      }
    });
    MqttClient second = connect(1, "roamer", true);
    assertThat(lost.poll(10, TimeUnit.SECONDS)).as("first connection taken down").isNotNull();
    assertThat(second.isConnected()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.node(0).broker().node().sessions().get("roamer") == null);
  }
}
