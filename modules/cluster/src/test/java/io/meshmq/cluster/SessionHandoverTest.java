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
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A persistent session follows its client to another node: queued messages, subscriptions and routes. */
class SessionHandoverTest {

  private static ClusterFixture cluster;

  @BeforeAll
  static void start() {
    cluster = ClusterFixture.start(3, ClusterSettings.HANDOVER_GRACE_SECONDS, 2);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static MqttConnectOptions persistent() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setMaxInflight(1000);
    return o;
  }

  /**
   * A subscriber that records payloads; registered before CONNECT so a resumed session's messages are kept.
   * The client's own state store is shared between its connections, as a real device keeps it: Paho hands a
   * QoS 2 message to the application only on PUBREL, so a fresh store would lose a message whose PUBREL
   * comes on the next connection.
   */
  private static MqttClient subscriber(int node, String id, List<String> got, MemoryPersistence store) throws Exception {
    MqttClient c = new MqttClient(cluster.uri(node), id, store);
    c.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        got.add(new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    return c;
  }

  private static void awaitRouteOn(int publisherNode, String topic) {
    RouteTable routes = cluster.node(publisherNode).routes();
    await().atMost(Duration.ofSeconds(10)).until(() -> !routes.remoteNodes(topic).isEmpty());
  }

  @Test
  void messagesQueuedWhileOfflineOnOneNodeAreDeliveredInOrderAfterReconnectingToAnother() throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    MemoryPersistence store = new MemoryPersistence();
    MqttClient x = subscriber(0, "mover", got, store);
    x.connect(persistent());
    x.subscribe("h/#", 1);
    awaitRouteOn(2, "h/t");
    x.disconnect();

    MqttClient pub = new MqttClient(cluster.uri(2), "h-pub", new MemoryPersistence());
    MqttConnectOptions po = new MqttConnectOptions();
    po.setMaxInflight(1000);
    pub.connect(po);
    for (int i = 0; i < 50; i++) {
      pub.publish("h/t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }

    // x is not closed: closing a Paho client clears its (shared) MemoryPersistence.
    MqttClient again = subscriber(1, "mover", got, store);
    IMqttToken token = again.connectWithResult(persistent());
    assertThat(token.getSessionPresent()).as("session present after moving nodes").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 50);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("m" + i);
    }
    assertThat(got).containsExactlyElementsOf(expected);

    // The subscription moved too: later messages reach the client on its new node.
    awaitRouteOn(2, "h/t");
    pub.publish("h/t", "after".getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("after"));
    assertThat(cluster.node(0).broker().node().sessions().get("mover")).isNull();
    again.disconnect();
    pub.disconnect();
  }

  @Test
  void qos2MessagesPublishedDuringTheMoveArriveExactlyOnce() throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    MemoryPersistence store = new MemoryPersistence();
    MqttClient x = subscriber(0, "mover2", got, store);
    x.connect(persistent());
    x.subscribe("e/#", 2);
    awaitRouteOn(2, "e/t");

    MqttAsyncClient pub = new MqttAsyncClient(cluster.uri(2), "e-pub", new MemoryPersistence());
    MqttConnectOptions po = new MqttConnectOptions();
    po.setMaxInflight(1000);
    pub.connect(po).waitForCompletion(10_000);
    int n = 400;
    BlockingQueue<IMqttDeliveryToken> tokens = new LinkedBlockingQueue<>();
    Thread publisher = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          tokens.add(pub.publish("e/t", ("q" + i).getBytes(StandardCharsets.UTF_8), 2, false));
          if (i % 20 == 0) {
            Thread.sleep(5); // spread the stream over the move
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    publisher.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 50);
    x.disconnectForcibly(0, 1000, false);
    // The same client object reconnects, to another node: its own QoS 2 state (Paho delivers a QoS 2 message
    // to the application on PUBREL) carries over, as it would on a device.
    MqttConnectOptions toOtherNode = persistent();
    toOtherNode.setServerURIs(new String[] {cluster.uri(1)});
    x.connect(toOtherNode);
    MqttClient again = x;
    publisher.join(60_000);
    for (IMqttDeliveryToken t : tokens) {
      t.waitForCompletion(30_000);
    }
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= n);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!got.contains("q" + i)) {
          missing.add("q" + i);
        }
      }
      throw new AssertionError("received " + got.size() + " of " + n + "; missing " + missing, e);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("q" + i);
    }
    // every message, each once (the order may differ only around the move)
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    again.disconnect();
    pub.disconnect().waitForCompletion(10_000);
    pub.close();
  }
}
