package io.meshmq.server.http;

import static io.meshmq.server.http.Http.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.server.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /metrics of a node of its own, scraped after known traffic: per-QoS message counters, accepted connects, the
 * queue depth of an offline persistent session, the in-flight count of a client that does not acknowledge yet,
 * filters and retained messages, each with the exact value the traffic implies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAfterTrafficTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private RunningServer server;
  private Http http;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = HttpListenerTest.launch();
    http = new Http(server.httpPort());
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
    server.stop();
  }

  @Test
  void countersAndDepthGaugesFollowQos0Qos1Qos2TrafficAndAnOfflineSession() throws Exception {
    String before = http.get("/metrics").body();
    assertThat(metric(before, "meshmq_queued_messages", "")).isZero();
    assertThat(metric(before, "meshmq_inflight_messages", "")).isZero();

    BlockingQueue<MqttMessage> online = new LinkedBlockingQueue<>();
    MqttClient sub = connect("online-sub", true, null);
    sub.subscribe("m/#", 2, (t, m) -> online.add(m));
    MqttClient offline = connect("offline-sub", false, null);
    offline.subscribe("m/#", 1);
    offline.disconnect();

    MqttClient pub = connect("pub", true, null);
    int[] published = {3, 4, 5}; // QoS 0, 1, 2
    for (int qos = 0; qos <= 2; qos++) {
      for (int i = 0; i < published[qos]; i++) {
        pub.publish("m/x", ("q" + qos + "-" + i).getBytes(StandardCharsets.UTF_8), qos, false);
      }
    }
    pub.publish("r/kept", "retained".getBytes(StandardCharsets.UTF_8), 1, true);
    for (int i = 0; i < 12; i++) {
      assertThat(online.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("message %d at the online subscriber", i).isNotNull();
    }
    // the online subscriber's acknowledgements (PUBACK, PUBREC/PUBREL/PUBCOMP) are on their way
    await().atMost(WAIT).until(() -> metric(http.get("/metrics").body(), "meshmq_inflight_messages", "") == 0);

    String afterPublish = http.get("/metrics").body();
    for (int qos = 0; qos <= 2; qos++) {
      assertThat(delta(before, afterPublish, "meshmq_messages_received_total", qos(qos))).as("received at QoS %d", qos)
          .isEqualTo(qos == 1 ? published[qos] + 1 : published[qos]); // + the retained one at QoS 1
      assertThat(delta(before, afterPublish, "meshmq_messages_sent_total", qos(qos))).as("sent at QoS %d", qos)
          .isEqualTo(published[qos]); // all to the online subscriber (granted QoS 2); the other one is offline
    }
    assertThat(delta(before, afterPublish, "meshmq_connects_accepted_total", "")).isEqualTo(3);
    // The offline persistent session holds everything its filter matched: QoS 0 as 0, QoS 1 and 2 as 1.
    assertThat(metric(afterPublish, "meshmq_queued_messages", "")).isEqualTo(12);
    assertThat(metric(afterPublish, "meshmq_subscription_filters", "")).as("m/# for both sessions").isEqualTo(1);
    assertThat(metric(afterPublish, "meshmq_retained_messages", "")).isEqualTo(1);
    assertThat(metric(afterPublish, "meshmq_sessions", "")).isEqualTo(3);
    assertThat(metric(afterPublish, "meshmq_messages_dropped_total", "")).as("nothing dropped").isZero();

    // The offline subscriber comes back and holds its acknowledgements: the queue empties into its window.
    BlockingQueue<MqttMessage> resumed = new LinkedBlockingQueue<>();
    MqttClient back = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "offline-sub", new MemoryPersistence());
    back.setManualAcks(true);
    back.setCallback(collector(resumed));
    connect(back, false);
    List<MqttMessage> got = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      MqttMessage m = resumed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(m).as("queued message %d delivered on resume", i).isNotNull();
      got.add(m);
    }
    String unacked = http.get("/metrics").body();
    assertThat(metric(unacked, "meshmq_queued_messages", "")).isZero();
    assertThat(metric(unacked, "meshmq_inflight_messages", "")).as("9 QoS 1 messages not acknowledged yet").isEqualTo(9);
    assertThat(delta(afterPublish, unacked, "meshmq_messages_sent_total", qos(0))).isEqualTo(3);
    assertThat(delta(afterPublish, unacked, "meshmq_messages_sent_total", qos(1))).isEqualTo(9);

    for (MqttMessage m : got) {
      if (m.getQos() > 0) {
        back.messageArrivedComplete(m.getId(), m.getQos());
      }
    }
    await().atMost(WAIT).until(() -> metric(http.get("/metrics").body(), "meshmq_inflight_messages", "") == 0);
    assertThat(delta(before, http.get("/metrics").body(), "meshmq_connects_accepted_total", "")).isEqualTo(4);
  }

  private static String qos(int qos) {
    return "qos=\"" + qos + "\"";
  }

  private static double metric(String exposition, String name, String labels) {
    return Http.sum(exposition, name, labels);
  }

  private static double delta(String before, String after, String name, String labels) {
    assertThat(sample(after, name, labels)).as("%s{%s} is exported", name, labels).isPresent();
    return Http.sum(after, name, labels) - Http.sum(before, name, labels);
  }

  private MqttClient connect(String id, boolean clean, MqttCallback callback) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id, new MemoryPersistence());
    if (callback != null) {
      c.setCallback(callback);
    }
    return connect(c, clean);
  }

  private MqttClient connect(MqttClient c, boolean clean) throws Exception {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setAutomaticReconnect(false);
    o.setMaxInflight(100);
    c.connect(o);
    clients.add(c);
    return c;
  }

  private static MqttCallback collector(BlockingQueue<MqttMessage> into) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        into.add(message);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }
}
