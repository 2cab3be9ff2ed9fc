package io.meshmq.process;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho MQTT 5 subscriber with a persistent session (clean start false, session expiry 300 s) that counts the
 * numbered messages it receives into its {@link Ledger.Receiver} and records the reason code of every DISCONNECT
 * the server sends it. It reconnects by itself over its URIs (in order) and never subscribes again: its session,
 * with the subscription, must follow it. A payload {@value NumberedSubscriber#PROBE} is a route probe.
 */
final class NumberedV5Subscriber implements AutoCloseable {

  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final Ledger.Receiver receiver;
  private final List<Integer> disconnectReasons = new CopyOnWriteArrayList<>();
  private final List<String> connectedTo = new CopyOnWriteArrayList<>();
  private final AtomicInteger probes = new AtomicInteger();

  NumberedV5Subscriber(String clientId, String[] uris, Ledger.Receiver receiver, Function<String, String> nodeName)
      throws MqttException {
    this.client = new MqttAsyncClient(uris[0], clientId, new MemoryPersistence());
    this.receiver = receiver;
    this.options = new MqttConnectionOptions();
    options.setServerURIs(uris);
    options.setCleanStart(false);
    options.setSessionExpiryInterval(300L);
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(1, 2);
    options.setConnectionTimeout(5);
    options.setKeepAliveInterval(10);
    options.setReceiveMaximum(100);
    Ledger ledger = receiver.ledger();
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        disconnectReasons.add(response.getReturnCode());
        ledger.event("v5 subscriber " + clientId + " disconnected by " + nodeName.apply(last()) + " with reason 0x"
            + Integer.toHexString(response.getReturnCode()) + ": " + response.getReasonString());
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
        ledger.event("v5 subscriber " + clientId + ": " + exception);
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        String payload = new String(message.getPayload(), StandardCharsets.US_ASCII);
        if (payload.equals(NumberedSubscriber.PROBE)) {
          probes.incrementAndGet();
          return;
        }
        try {
          receiver.received(Integer.parseInt(payload));
        } catch (NumberFormatException e) {
          receiver.stray();
        }
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
        connectedTo.add(serverURI);
        ledger.event("v5 subscriber " + clientId + (reconnect ? " reconnected to " : " connected to ")
            + nodeName.apply(serverURI));
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
  }

  /** Sets how long a connect waits for CONNACK (before {@link #connect}); the default is 5 s. */
  NumberedV5Subscriber connectionTimeout(int seconds) {
    options.setConnectionTimeout(seconds);
    return this;
  }

  /** Connects and returns whether the broker had a session for it. */
  boolean connect(Duration timeout) throws MqttException {
    IMqttToken t = client.connect(options);
    t.waitForCompletion(timeout.toMillis());
    return t.getSessionPresent();
  }

  void subscribe(String filter, Duration timeout) throws MqttException {
    IMqttToken t = client.subscribe(filter, 1);
    t.waitForCompletion(timeout.toMillis());
    int granted = t.getReasonCodes()[0];
    if (granted != 1) {
      throw new IllegalStateException("SUBACK reason " + granted + " for " + filter + ", not QoS 1");
    }
  }

  /** Like {@link NumberedSubscriber#awaitRoute}: QoS 0 probes through {@code via} until one arrives here. */
  void awaitRoute(org.eclipse.paho.client.mqttv3.MqttAsyncClient via, String probeTopic, Duration timeout)
      throws Exception {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    int before = probes.get();
    while (probes.get() == before) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("no probe on " + probeTopic + " reached " + client.getClientId());
      }
      via.publish(probeTopic, NumberedSubscriber.PROBE.getBytes(StandardCharsets.US_ASCII), 0, false);
      Thread.sleep(100);
    }
  }

  /** The reason codes of the DISCONNECT packets the server sent, in order. */
  List<Integer> disconnectReasons() {
    return List.copyOf(disconnectReasons);
  }

  /** The server URIs it connected to, in order (reconnections included). */
  List<String> connectedTo() {
    return List.copyOf(connectedTo);
  }

  boolean isConnected() {
    return client.isConnected();
  }

  private String last() {
    return connectedTo.isEmpty() ? null : connectedTo.get(connectedTo.size() - 1);
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(0, 1000, false);
      }
    } catch (MqttException e) {
      // best effort
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // best effort
    }
  }
}
