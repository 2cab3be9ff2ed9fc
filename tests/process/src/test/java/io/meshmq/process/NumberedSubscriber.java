package io.meshmq.process;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho (MQTT 3.1.1) subscriber with a persistent session (clean session false) that counts the numbered messages
 * it receives into its {@link Ledger.Receiver}; a payload {@value #PROBE} is a route probe. Its callback is set
 * before it connects, so messages a resumed session delivers right after CONNACK are counted; after a reconnect it
 * does not subscribe again: the session (and its subscription) must have followed it.
 */
final class NumberedSubscriber implements AutoCloseable {

  static final String PROBE = "probe";

  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final Ledger.Receiver receiver;
  private final Function<String, String> nodeName;
  private final AtomicInteger probes = new AtomicInteger();
  private volatile String server;

  NumberedSubscriber(String clientId, String[] uris, Ledger.Receiver receiver, Function<String, String> nodeName)
      throws MqttException {
    this.client = new MqttAsyncClient(uris[0], clientId, new MemoryPersistence());
    this.options = Clients.options(uris, false, 100);
    this.receiver = receiver;
    this.nodeName = nodeName;
    Ledger ledger = receiver.ledger();
    client.setCallback(new MqttCallbackExtended() {
      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
        server = serverURI;
        ledger.event("subscriber " + clientId + (reconnect ? " reconnected to " : " connected to ")
            + nodeName.apply(serverURI));
      }

      @Override
      public void connectionLost(Throwable cause) {
        ledger.event("subscriber " + clientId + " lost its connection to " + nodeName.apply(server) + ": " + cause);
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        String payload = new String(message.getPayload(), StandardCharsets.US_ASCII);
        if (payload.equals(PROBE)) {
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
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
  }

  /** Sets the keep-alive (before {@link #connect}); the default is 10 s. */
  NumberedSubscriber keepAlive(int seconds) {
    options.setKeepAliveInterval(seconds);
    return this;
  }

  /** Sets how long a connect waits for CONNACK (before {@link #connect}); the default is 5 s. */
  NumberedSubscriber connectionTimeout(int seconds) {
    options.setConnectionTimeout(seconds);
    return this;
  }

  /** Connects (to the first URI that answers) and returns whether the broker had a session for it. */
  boolean connect(Duration timeout) throws MqttException {
    return connected(startConnect(), timeout);
  }

  /** Starts connecting: many clients connect at once, each then waits with {@link #connected}. */
  IMqttToken startConnect() throws MqttException {
    return client.connect(options);
  }

  /** Waits for a connect {@link #startConnect} began; returns whether the broker had a session for it. */
  boolean connected(IMqttToken t, Duration timeout) throws MqttException {
    t.waitForCompletion(timeout.toMillis());
    boolean present = t.getSessionPresent();
    receiver.ledger().event("subscriber " + client.getClientId() + " CONNACK from "
        + nodeName.apply(client.getCurrentServerURI())
        + ": session present = " + present);
    return present;
  }

  /** A normal DISCONNECT: the session stays on the broker, offline, and collects what its subscription matches. */
  void disconnect(Duration timeout) throws MqttException {
    client.disconnect(timeout.toMillis()).waitForCompletion(timeout.toMillis());
    receiver.ledger().event("subscriber " + client.getClientId() + " disconnected from " + nodeName.apply(server)
        + " (session kept)");
  }

  void subscribe(String filter, Duration timeout) throws MqttException {
    subscribed(startSubscribe(filter), filter, timeout);
  }

  /** Starts a QoS 1 subscription; {@link #subscribed} waits for its SUBACK. */
  IMqttToken startSubscribe(String filter) throws MqttException {
    return client.subscribe(filter, 1);
  }

  void subscribed(IMqttToken t, String filter, Duration timeout) throws MqttException {
    t.waitForCompletion(timeout.toMillis());
    int granted = t.getGrantedQos()[0];
    if (granted != 1) {
      throw new IllegalStateException("SUBACK granted " + granted + " for " + filter + ", not QoS 1");
    }
  }

  /**
   * Publishes QoS 0 probes on {@code probeTopic} (which this subscriber's filter must match) through {@code via}
   * every 100 ms until one arrives here: the route from the publisher's node to this subscriber's node is in place.
   * Throws after {@code timeout}.
   */
  void awaitRoute(MqttAsyncClient via, String probeTopic, Duration timeout)
      throws MqttException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    int before = probes.get();
    while (probes.get() == before) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("no probe on " + probeTopic + " reached " + client.getClientId() + " within "
            + timeout.toSeconds() + " s: the route did not propagate");
      }
      via.publish(probeTopic, PROBE.getBytes(StandardCharsets.US_ASCII), 0, false);
      Thread.sleep(100);
    }
  }

  /** The URI of the node it is connected to (or was last). */
  String server() {
    return server;
  }

  @Override
  public void close() {
    Clients.closeQuietly(client);
  }

  /**
   * Closes many subscribers at once: every DISCONNECT is sent first and then waited for (one after the other, each
   * can take its whole disconnect time-out).
   */
  static void closeAll(java.util.Collection<NumberedSubscriber> subscribers) {
    List<IMqttToken> disconnects = new java.util.ArrayList<>();
    for (NumberedSubscriber s : subscribers) {
      try {
        if (s.client.isConnected()) {
          disconnects.add(s.client.disconnect(0));
        }
      } catch (MqttException e) {
        // closed below anyway
      }
    }
    for (IMqttToken t : disconnects) {
      try {
        t.waitForCompletion(2_000);
      } catch (MqttException e) {
        // closed below anyway
      }
    }
    subscribers.forEach(NumberedSubscriber::close);
  }
}
