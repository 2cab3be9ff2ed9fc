package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A HiveMQ MQTT 5 client for the tests: every PUBLISH it receives (also the ones of a resumed session, which
 * arrive right after CONNACK) lands in {@link #received}, every loss of connection in {@link #disconnects}.
 */
final class Hive implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(5);

  final Mqtt5BlockingClient client;
  final BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
  final BlockingQueue<MqttClientDisconnectedContext> disconnects = new LinkedBlockingQueue<>();

  private Hive(Mqtt5BlockingClient client) {
    this.client = client;
    // Registered before CONNECT so that messages a resumed session sends at once are not lost.
    client.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
  }

  /** A client with the given id (empty: let the broker assign one), not connected yet. */
  static Hive create(BrokerFixture broker, String clientId) {
    return create(broker, clientId, UnaryOperator.identity());
  }

  static Hive create(BrokerFixture broker, String clientId, UnaryOperator<Mqtt5ClientBuilder> customize) {
    Hive[] self = new Hive[1];
    BlockingQueue<MqttClientDisconnectedContext> early = new LinkedBlockingQueue<>();
    Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
        .serverHost("127.0.0.1")
        .serverPort(broker.port())
        .addDisconnectedListener(ctx -> {
          if (self[0] == null) {
            early.add(ctx);
          } else {
            self[0].disconnects.add(ctx);
          }
        });
    if (!clientId.isEmpty()) {
      b = b.identifier(clientId);
    }
    Hive h = new Hive(customize.apply(b).buildBlocking());
    self[0] = h;
    early.drainTo(h.disconnects);
    return h;
  }

  /** Creates and connects with clean start and no session expiry. */
  static Hive connect(BrokerFixture broker, String clientId) {
    Hive h = create(broker, clientId);
    h.connectWith().cleanStart(true).send();
    return h;
  }

  Mqtt5ConnectBuilder.Send<Mqtt5ConnAck> connectWith() {
    return client.connectWith();
  }

  Mqtt5SubAck subscribe(String filter, int qos) {
    return client.subscribeWith().topicFilter(filter).qos(qos(qos)).send();
  }

  Mqtt5PublishResult publish(String topic, String payload, int qos) {
    return client.publishWith().topic(topic).payload(bytes(payload)).qos(qos(qos)).send();
  }

  Mqtt5PublishResult publishRetained(String topic, String payload, int qos) {
    return client.publishWith().topic(topic).payload(bytes(payload)).qos(qos(qos)).retain(true).send();
  }

  /** The next message received, failing after {@link #WAIT}. */
  Mqtt5Publish next() throws InterruptedException {
    Mqtt5Publish p = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(p).as("a message within %s", WAIT).isNotNull();
    return p;
  }

  /** The payloads of the next {@code n} messages. */
  List<String> nextPayloads(int n) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(text(next()));
    }
    return out;
  }

  /** Asserts that no further message arrives within a short time (call after a positive barrier). */
  void assertNoMoreMessages() throws InterruptedException {
    Mqtt5Publish p = received.poll(300, TimeUnit.MILLISECONDS);
    assertThat(p).as("no further message").isNull();
  }

  boolean isConnected() {
    return client.getState().isConnected();
  }

  @Override
  public void close() {
    try {
      if (client.getState().isConnectedOrReconnect()) {
        client.disconnect();
      }
    } catch (RuntimeException e) {
      // already gone
    }
  }

  static MqttQos qos(int qos) {
    return MqttQos.fromCode(qos);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }
}
