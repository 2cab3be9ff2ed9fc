package io.meshmq.process;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho (MQTT 3.1.1) client publishing the numbered QoS 1 stream "0", "1", "2", ... at a steady rate, with a bounded
 * number of unacknowledged messages. Each PUBACK is recorded in the {@link Ledger}. While the client is disconnected
 * (automatic reconnect) the stream waits and then goes on with the same number: the numbers stay contiguous. Bounded
 * by count and by time; {@link #stop()} ends it early.
 */
final class NumberedPublisher implements AutoCloseable {

  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final IntFunction<String> topic;
  private final Ledger ledger;
  private final Function<String, String> nodeName;
  private final Semaphore window;
  private final Set<Integer> released = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger notConnectedWaits = new AtomicInteger();
  private volatile Thread thread;

  /**
   * @param uris     the server URIs in the order the client tries them (first = initial node)
   * @param topic    the topic of each number
   * @param nodeName names a node by its URI, for the timeline
   */
  NumberedPublisher(String clientId, String[] uris, boolean cleanSession, IntFunction<String> topic, Ledger ledger,
                    int window,
                    Function<String, String> nodeName) throws MqttException {
    this.client = new MqttAsyncClient(uris[0], clientId, new MemoryPersistence());
    this.options = Clients.options(uris, cleanSession, 2 * window);
    this.topic = topic;
    this.ledger = ledger;
    this.nodeName = nodeName;
    this.window = new Semaphore(window);
    client.setCallback(new MqttCallbackExtended() {
      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
        ledger.event("publisher " + clientId + (reconnect ? " reconnected to " : " connected to ")
            + nodeName.apply(serverURI));
      }

      @Override
      public void connectionLost(Throwable cause) {
        ledger.event("publisher " + clientId + " lost its connection: " + cause);
      }

      @Override
      public void messageArrived(String t, MqttMessage message) {
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        // also here: a message re-sent after a reconnect may complete through this path only
        if (token.getUserContext() instanceof Integer seq) {
          ledger.acked(seq);
          release(seq);
        }
      }
    });
  }

  MqttAsyncClient client() {
    return client;
  }

  void connect(Duration timeout) throws MqttException {
    client.connect(options).waitForCompletion(timeout.toMillis());
  }

  /** Starts publishing on a thread of its own. */
  void start(int count, double perSecond, Duration maxDuration) {
    Thread t = new Thread(() -> run(count, perSecond, maxDuration), "publisher-" + client.getClientId());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** The number the next message will carry (= how many were handed to the client so far). */
  int published() {
    return next.get();
  }

  void stop() {
    stop.set(true);
  }

  /** Waits (bounded) for the publishing thread to end; returns whether it did. */
  boolean await(Duration timeout) throws InterruptedException {
    Thread t = thread;
    if (t == null) {
      return true;
    }
    t.join(timeout.toMillis());
    return !t.isAlive();
  }

  /** Waits (bounded) until every message handed to the client is acknowledged; returns whether they all were. */
  boolean awaitAcks(Duration timeout) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (ledger.ackedCount() >= next.get()) {
        return true;
      }
      Thread.sleep(50);
    }
    return ledger.ackedCount() >= next.get();
  }

  int notConnectedWaits() {
    return notConnectedWaits.get();
  }

  private void run(int count, double perSecond, Duration maxDuration) {
    long deadline = System.currentTimeMillis() + maxDuration.toMillis();
    long intervalNanos = (long) (1_000_000_000L / perSecond);
    long nextAt = System.nanoTime();
    try {
      for (int seq = 0; seq < count && !stop.get() && System.currentTimeMillis() < deadline; seq++) {
        long wait = nextAt - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        } else if (-wait > 500_000_000L) {
          nextAt = System.nanoTime(); // after an outage: no burst to catch up, the rate goes on from now
        }
        nextAt += intervalNanos;
        if (!acquire(deadline)) {
          if (!stop.get()) {
            ledger.event("publisher: the window of unacknowledged messages stayed full until the deadline;"
                + " stopping at #" + seq);
          }
          return;
        }
        if (!publish(seq, deadline)) {
          release(seq);
          return;
        }
        next.set(seq + 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ledger.event("publisher stopped after " + next.get() + " messages");
    }
  }

  private boolean acquire(long deadline) throws InterruptedException {
    while (System.currentTimeMillis() < deadline && !stop.get()) {
      if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  /** Hands message {@code seq} to the client, waiting while it is disconnected; false at the deadline. */
  private boolean publish(int seq, long deadline) throws InterruptedException {
    MqttMessage m = new MqttMessage(Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
    m.setQos(1);
    IMqttActionListener listener = new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        ledger.acked(seq);
        release(seq);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable e) {
        // with a persistent client session Paho re-sends it after the reconnect; an ack may still come
        ledger.failed(seq, e);
        release(seq);
      }
    };
    while (System.currentTimeMillis() < deadline) {
      try {
        client.publish(topic.apply(seq), m, seq, listener);
        ledger.sent(seq);
        return true;
      } catch (MqttException e) {
        // not connected, reconnecting, or Paho's own in-flight window full: wait and try the same number again
        notConnectedWaits.incrementAndGet();
        Thread.sleep(20);
      }
    }
    ledger.event("publisher: could not hand #" + seq + " to the client before the deadline");
    return false;
  }

  private void release(int seq) {
    if (released.add(seq)) {
      window.release();
    }
  }

  @Override
  public void close() {
    stop();
    Clients.closeQuietly(client);
  }
}
