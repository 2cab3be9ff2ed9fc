package io.meshmq.broker.test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A well-behaved pair of Paho clients beside whatever a test does to the broker: one publishes a QoS 1 probe,
 * stamped with {@link System#nanoTime()}, every {@code interval}; the other subscribes to the probes and records
 * how long each took. The test JVM hosts the broker too, so both ends read the same clock.
 */
public final class LatencyProbe implements AutoCloseable {

  /** What the probe saw since the last {@link #reset()}. */
  public record Stats(long sent, long received, long failedPublishes, long p50Micros, long p99Micros) {
  }

  private final MqttClient publisher;
  private final MqttClient subscriber;
  private final String topic;
  private final ScheduledExecutorService timer;
  private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  private LatencyProbe(String uri, String topic, Duration interval) throws MqttException {
    this.topic = topic;
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setKeepAliveInterval(30);
    options.setMaxInflight(1000);
    subscriber = new MqttClient(uri, "probe-sub-" + System.nanoTime(), new MemoryPersistence());
    subscriber.connect(options);
    subscriber.subscribe(topic, 1, (t, m) -> {
      long stamp = ByteBuffer.wrap(m.getPayload()).getLong();
      latencies.add(System.nanoTime() - stamp);
    });
    publisher = new MqttClient(uri, "probe-pub-" + System.nanoTime(), new MemoryPersistence());
    publisher.connect(options);
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "latency-probe");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::publishOne, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Connects both clients to the broker at {@code uri} and starts probing. */
  public static LatencyProbe start(String uri, String topic, Duration interval) throws MqttException {
    return new LatencyProbe(uri, topic, interval);
  }

  private void publishOne() {
    try {
      publisher.publish(topic, ByteBuffer.allocate(8).putLong(System.nanoTime()).array(), 1, false);
      sent.incrementAndGet();
    } catch (MqttException e) {
      failed.incrementAndGet();
    }
  }

  /** Starts a new measurement window. */
  public void reset() {
    latencies.clear();
    sent.set(0);
    failed.set(0);
  }

  public Stats stats() {
    List<Long> sorted;
    synchronized (latencies) {
      sorted = new ArrayList<>(latencies);
    }
    Collections.sort(sorted);
    return new Stats(sent.get(), sorted.size(), failed.get(), percentileMicros(sorted, 0.50),
        percentileMicros(sorted, 0.99));
  }

  private static long percentileMicros(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1000;
  }

  /** Waits until the probes published so far have arrived (at most {@code timeout}); false if they did not. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (latencies.size() >= sent.get()) {
        return true;
      }
      Thread.sleep(20);
    }
    return latencies.size() >= sent.get();
  }

  @Override
  public void close() throws Exception {
    timer.shutdownNow();
    timer.awaitTermination(5, TimeUnit.SECONDS);
    for (MqttClient c : List.of(publisher, subscriber)) {
      try {
        c.disconnect(1000);
      } catch (MqttException e) {
        c.disconnectForcibly(1000, 1000);
      }
      c.close();
    }
  }
}
