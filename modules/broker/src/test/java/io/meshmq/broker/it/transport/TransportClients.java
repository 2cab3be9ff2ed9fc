package io.meshmq.broker.it.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Paho v3 and HiveMQ clients for the transport tests, and the round trip every transport must carry. */
final class TransportClients {

  static final long WAIT_SECONDS = 10;

  private TransportClients() {
  }

  /** A connected Paho 3.1.1 client; {@code sockets} for ssl:// and wss:// URIs, {@code user} null for none. */
  static org.eclipse.paho.client.mqttv3.MqttClient paho(String uri, String id, SocketFactory sockets, String user,
                                                         String password) throws MqttException {
    org.eclipse.paho.client.mqttv3.MqttClient c = new org.eclipse.paho.client.mqttv3.MqttClient(uri, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setConnectionTimeout(10);
    o.setCleanSession(true);
    if (sockets != null) {
      o.setSocketFactory(sockets);
    }
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    c.connect(o);
    return c;
  }

  /** The CONNACK code of a refused Paho 3.1.1 connection, or 0 when it was accepted (and is closed again). */
  static int pahoCode(String uri, String id, SocketFactory sockets, String user, String password) {
    try {
      org.eclipse.paho.client.mqttv3.MqttClient c = paho(uri, id, sockets, user, password);
      c.disconnect();
      c.close();
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /** Subscribes with {@code c}, publishes with {@code publisher} at QoS 1 and waits for the message to come back. */
  static void pahoRoundTrip(org.eclipse.paho.client.mqttv3.MqttClient subscriber,
                            org.eclipse.paho.client.mqttv3.MqttClient publisher, String topic, byte[] payload)
      throws Exception {
    BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
    subscriber.subscribe(topic, 1, (t, m) -> got.add(m));
    publisher.publish(topic, payload, 1, false);
    MqttMessage m = got.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(m).as("message on %s", topic).isNotNull();
    assertThat(m.getPayload()).isEqualTo(payload);
  }

  /** A HiveMQ MQTT 5 client builder for 127.0.0.1:port, customised by {@code transport} (TLS, WebSocket). */
  static Mqtt5BlockingClient hive(int port, String id, UnaryOperator<Mqtt5ClientBuilder> transport) {
    return transport.apply(MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port))
        .buildBlocking();
  }

  /** Connects {@code c}, subscribes, publishes at QoS 1 through it and waits for the message to come back. */
  static void hiveRoundTrip(Mqtt5BlockingClient c, String topic) throws InterruptedException {
    BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
    c.toAsync().publishes(MqttGlobalPublishFilter.ALL, got::add);
    c.connectWith().cleanStart(true).send();
    c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
    c.publishWith().topic(topic).payload(bytes("over " + topic)).qos(MqttQos.AT_LEAST_ONCE).send();
    Mqtt5Publish p = got.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(p).as("message on %s", topic).isNotNull();
    assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("over " + topic);
    c.disconnect();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void closeQuietly(org.eclipse.paho.client.mqttv3.MqttClient c) {
    if (c == null) {
      return;
    }
    try {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    } catch (MqttException e) {
      // already gone
    }
  }
}
