package io.meshmq.harness;

import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Publishes at a fixed rate, for latency: message i is due at start + i / rate, and its payload carries that
 * intended time, not the time it actually left. When the harness or the broker falls behind (a pause, a full
 * in-flight window), the messages that queue up meanwhile are sent late and their latency includes the wait, so
 * a stall shows in the percentiles instead of being hidden (coordinated omission). Bounded by a message count and
 * a deadline; runs on the calling thread.
 */
final class PacedPublisher {

  private static final long WINDOW_FULL_PAUSE_NANOS = 20_000;

  private final BenchClient client;
  private final int publisherId;
  private final String topic;
  private final int qos;
  private final int payloadBytes;
  private final int maxInflight;
  private final Histogram sendDelayMicros = new Histogram(3);
  private volatile long sent;

  PacedPublisher(BenchClient client, int publisherId, String topic, int qos, int payloadBytes, int maxInflight) {
    this.client = client;
    this.publisherId = publisherId;
    this.topic = topic;
    this.qos = qos;
    this.payloadBytes = payloadBytes;
    this.maxInflight = maxInflight;
  }

  /** Sends {@code count} messages at {@code ratePerSecond} starting at {@code startNanos}, stopping at the deadline. */
  void run(double ratePerSecond, long count, long startNanos, long deadlineNanos) {
    double periodNanos = 1e9 / ratePerSecond;
    for (long i = 0; i < count; i++) {
      long intended = startNanos + (long) (i * periodNanos);
      long now;
      while ((now = System.nanoTime()) < intended) {
        LockSupport.parkNanos(intended - now);
      }
      while (client.inflight() >= maxInflight && now < deadlineNanos) {
        LockSupport.parkNanos(WINDOW_FULL_PAUSE_NANOS);
        now = System.nanoTime();
      }
      if (now >= deadlineNanos || client.error() != null) {
        return;
      }
      long sequence = i;
      client.channel().eventLoop().execute(() -> {
        client.publish(topic, qos, BenchPayload.write(client.channel().alloc(), payloadBytes, publisherId, sequence, intended));
        client.flush();
      });
      sent++;
      sendDelayMicros.recordValue((now - intended) / 1000);
    }
  }

  long sent() {
    return sent;
  }

  /** How late the harness itself handed messages to its event loop: its own share of any latency. */
  Histogram sendDelayMicros() {
    return sendDelayMicros;
  }
}
