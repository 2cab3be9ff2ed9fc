package io.meshmq.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class SmokeTest {

  @Test
  void publishAndSubscribeAtEveryQos() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      MqttClient sub = new MqttClient(broker.tcpUri(), "sub", new MemoryPersistence());
      MqttClient pub = new MqttClient(broker.tcpUri(), "pub", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      sub.connect(o);
      pub.connect(o);
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      sub.subscribe("a/#", 2, (t, m) -> got.add(t + ":" + new String(m.getPayload(), StandardCharsets.UTF_8) + ":" + m.getQos()));
      for (int qos = 0; qos <= 2; qos++) {
        pub.publish("a/b", ("m" + qos).getBytes(StandardCharsets.UTF_8), qos, false);
      }
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("a/b:m0:0");
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("a/b:m1:1");
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("a/b:m2:2");
      pub.disconnect();
      sub.disconnect();
    }
  }
}
