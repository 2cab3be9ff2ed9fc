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
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.Test;

/** A node that is stopped gracefully re-homes its persistent sessions: nothing queued there is lost. */
class GracefulDrainTest {

  @Test
  void sessionsOfALeavingNodeLiveOnElsewhereWithTheirQueuedMessages() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(3, ClusterSettings.HANDOVER_GRACE_SECONDS, 1)) {
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      MqttClient x = new MqttClient(cluster.uri(1), "drained", new MemoryPersistence());
      x.setCallback(recorder(got));
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(false);
      o.setMaxInflight(1000);
      x.connect(o);
      x.subscribe("dr/#", 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("dr/t").isEmpty());
      x.disconnect();

      // An MQTT 5 client still connected to the leaving node is told why it goes.
      org.eclipse.paho.mqttv5.client.MqttClient online = new org.eclipse.paho.mqttv5.client.MqttClient(cluster.uri(1),
          "online-v5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
      BlockingQueue<Integer> reasons = new LinkedBlockingQueue<>();
      online.setCallback(new V5Disconnects(reasons));
      online.connect(new MqttConnectionOptions());

      MqttClient pub = new MqttClient(cluster.uri(0), "drain-pub", new MemoryPersistence());
      MqttConnectOptions po = new MqttConnectOptions();
      po.setMaxInflight(1000);
      pub.connect(po);
      for (int i = 0; i < 20; i++) {
        pub.publish("dr/t", ("a" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      cluster.stopNode(1);
      assertThat(reasons.poll(10, TimeUnit.SECONDS)).as("DISCONNECT reason").isEqualTo(0x8B);

      // The session now lives on node 0 or node 2: its subscription is local there, or a route to there.
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("dr/t").isEmpty()
          || cluster.node(0).broker().node().subscriptions().size() > 0);
      for (int i = 0; i < 20; i++) {
        pub.publish("dr/t", ("b" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      MqttClient back = new MqttClient(cluster.uri(2), "drained", new MemoryPersistence());
      back.setCallback(recorder(got));
      assertThat(back.connectWithResult(o).getSessionPresent()).isTrue();
      await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 40);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        expected.add("a" + i);
      }
      for (int i = 0; i < 20; i++) {
        expected.add("b" + i);
      }
      assertThat(got).containsExactlyElementsOf(expected);
      back.disconnect();
      pub.disconnect();
    }
  }

  private static MqttCallback recorder(List<String> got) {
    return new MqttCallback() {
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
    };
  }

  private record V5Disconnects(BlockingQueue<Integer> reasons) implements org.eclipse.paho.mqttv5.client.MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse r) {
      reasons.add(r.getReturnCode());
    }

    @Override
    public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
    }

    @Override
    public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
    }

    @Override
    public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
    }
  }
}
