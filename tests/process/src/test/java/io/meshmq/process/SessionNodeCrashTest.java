package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL of the node that holds a persistent session, while QoS 1 messages for it stream in from another
 * node: a survivor recovers the session from the session store, messages published meanwhile wait for the
 * recovery, and the client, reconnecting to a third node, receives every message whose PUBACK the publisher got.
 */
class SessionNodeCrashTest {

  /** Below the session queue bound (mqtt.max-queued-messages, 1000): the client is away the whole time. */
  static final int MESSAGES = 900;
  static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = ProcessCluster.start("sessioncrash", 3, Map.of("cluster.member-timeout-seconds", "6"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void acknowledgedMessagesForASessionOnAKilledNodeAreAllDelivered() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "sc/" + run + "/data";
    BrokerProcess a = cluster.node(0);
    BrokerProcess b = cluster.node(1);
    BrokerProcess c = cluster.node(2);
    Set<Integer> received = ConcurrentHashMap.newKeySet();
    MqttConnectOptions persistent = new MqttConnectOptions();
    persistent.setCleanSession(false);
    persistent.setMaxInflight(1000);

    // The subscriber's session lives on b; the client goes away (its messages queue there).
    MqttClient sub = new MqttClient(b.uri(), "sc-sub-" + run, new MemoryPersistence());
    sub.connect(persistent);
    sub.subscribe("sc/" + run + "/#", 1);
    MqttAsyncClient pub = new MqttAsyncClient(a.uri(), "sc-pub-" + run, new MemoryPersistence());
    MqttConnectOptions po = new MqttConnectOptions();
    po.setMaxInflight(1000);
    pub.connect(po).waitForCompletion(10_000);
    // route a -> b in place: a probe published on a reaches the subscriber on b
    Set<String> probes = ConcurrentHashMap.newKeySet();
    sub.setCallback(recorder(received, probes));
    long until = System.currentTimeMillis() + 20_000;
    while (probes.isEmpty() && System.currentTimeMillis() < until) {
      pub.publish("sc/" + run + "/probe", "p".getBytes(StandardCharsets.UTF_8), 0, false);
      Thread.sleep(50);
    }
    assertThat(probes).as("route a -> b").isNotEmpty();
    sub.disconnect();

    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    long start = System.currentTimeMillis();
    for (int i = 0; i < MESSAGES; i++) {
      int n = i;
      IMqttActionListener onAck = new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          acked.add(n);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
        }
      };
      // While the cluster fails over, PUBACKs are withheld (push-back): wait for room in the client's window.
      long giveUp = System.currentTimeMillis() + 60_000;
      while (true) {
        try {
          pub.publish(topic, String.valueOf(i).getBytes(StandardCharsets.UTF_8), 1, false, null, onAck);
          break;
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
          if (e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_MAX_INFLIGHT
              || System.currentTimeMillis() > giveUp) {
            throw e;
          }
          Thread.sleep(20);
        }
      }
      if (i == MESSAGES / 3) {
        b.kill(); // SIGKILL of the node that holds the session
      }
      Thread.sleep(5); // about 200 messages per second
    }
    long deadline = System.currentTimeMillis() + 90_000;
    while (acked.size() < MESSAGES && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(acked).as("every message acknowledged (after %d ms)", System.currentTimeMillis() - start).hasSize(MESSAGES);

    // The client comes back, to c: the recovered session (wherever it lives now) hands everything over.
    MqttClient back = new MqttClient(c.uri(), "sc-sub-" + run, new MemoryPersistence());
    back.setCallback(recorder(received, probes));
    back.connect(persistent);
    deadline = System.currentTimeMillis() + 60_000;
    while (!received.containsAll(acked) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    Set<Integer> lost = new java.util.TreeSet<>(acked);
    lost.removeAll(received);
    assertThat(lost).as("acknowledged messages never received\n%s", cluster.warnings(40)).isEmpty();
    back.disconnect();
    pub.disconnect().waitForCompletion(10_000);
  }

  private static MqttCallback recorder(Set<Integer> received, Set<String> probes) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        if (topic.endsWith("/probe")) {
          probes.add(topic);
        } else {
          received.add(Integer.parseInt(new String(message.getPayload(), StandardCharsets.UTF_8)));
        }
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }
}
