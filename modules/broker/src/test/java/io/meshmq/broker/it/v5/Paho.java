package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.test.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An Eclipse Paho MQTT 5 client for what HiveMQ's client does not show (subscription identifiers of a
 * received message, topic alias maximum towards the broker): received messages go to {@link #received}.
 */
final class Paho implements AutoCloseable {

  /** A received message with the topic Paho resolved (aliases included). */
  record Received(String topic, MqttMessage message) {
    String payload() {
      return new String(message.getPayload(), StandardCharsets.UTF_8);
    }
  }

  private static final long TIMEOUT_MS = 5000;

  final MqttAsyncClient client;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();

  private Paho(MqttAsyncClient client) {
    this.client = client;
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        disconnects.add(response);
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, message));
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
  }

  /** Connects with clean start and whatever else {@code options} sets. */
  static Paho connect(BrokerFixture broker, String clientId, Consumer<MqttConnectionOptions> options) throws MqttException {
    Paho p = new Paho(new MqttAsyncClient(broker.tcpUri(), clientId, new MemoryPersistence()));
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setAutomaticReconnect(false);
    options.accept(o);
    p.client.connect(o).waitForCompletion(TIMEOUT_MS);
    return p;
  }

  /** SUBSCRIBE with a subscription identifier (0: none); returns the reason codes of the SUBACK. */
  int[] subscribe(String filter, int qos, int subscriptionId) throws MqttException {
    MqttProperties props = new MqttProperties();
    if (subscriptionId > 0) {
      props.setSubscriptionIdentifier(subscriptionId);
    }
    IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)}, null, null, props);
    token.waitForCompletion(TIMEOUT_MS);
    return token.getReasonCodes();
  }

  void publish(String topic, String payload, int qos) throws MqttException {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(qos);
    client.publish(topic, m).waitForCompletion(TIMEOUT_MS);
  }

  Received next() throws InterruptedException {
    Received r = received.poll(Hive.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r).as("a message within %s", Hive.WAIT).isNotNull();
    return r;
  }

  void assertNoMoreMessages() throws InterruptedException {
    assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("no further message").isNull();
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(TIMEOUT_MS);
      }
    } catch (MqttException e) {
      // already gone
    }
    try {
      client.close();
    } catch (MqttException e) {
      // nothing left to release
    }
  }
}
