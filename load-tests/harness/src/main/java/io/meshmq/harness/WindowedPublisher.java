package io.meshmq.harness;

import java.util.concurrent.CompletableFuture;

/**
 * Publishes as fast as the broker takes it, for throughput: at QoS 1/2 it keeps {@code window} messages
 * unacknowledged and sends the next one as each completes; at QoS 0 it writes while the socket's outbound buffer
 * is under Netty's high-water mark and resumes when it drains. Bounded: it stops at {@code maxMessages} or at the
 * deadline, whichever comes first, and {@link #done()} completes once every message sent is acknowledged.
 * Runs on its client's event loop.
 */
final class WindowedPublisher {

  /** Messages written in one go before the loop yields to the other connections it serves. */
  private static final int BURST = 256;

  private final BenchClient client;
  private final int publisherId;
  private final String topic;
  private final int qos;
  private final int window;
  private final int payloadBytes;
  private final long maxMessages;
  private final long deadlineNanos;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long sent;
  private boolean stopped;

  WindowedPublisher(BenchClient client, int publisherId, String topic, int qos, int window, int payloadBytes,
      long maxMessages, long deadlineNanos) {
    this.client = client;
    this.publisherId = publisherId;
    this.topic = topic;
    this.qos = qos;
    this.window = window;
    this.payloadBytes = payloadBytes;
    this.maxMessages = maxMessages;
    this.deadlineNanos = deadlineNanos;
  }

  void start() {
    client.onAck(this::fill);
    client.onWritable(this::fill);
    client.channel().eventLoop().execute(this::fill);
  }

  /** Sends nothing more; {@link #done()} completes when what was sent is acknowledged. */
  void stop() {
    client.channel().eventLoop().execute(() -> {
      stopped = true;
      completeIfDone();
    });
  }

  CompletableFuture<Void> done() {
    return done;
  }

  long sent() {
    return sent;
  }

  private void fill() {
    int burst = 0;
    while (!stopped && burst < BURST && room()) {
      long now = System.nanoTime();
      if (sent >= maxMessages || now - deadlineNanos >= 0) {
        stopped = true;
        break;
      }
      client.publish(topic, qos, BenchPayload.write(client.channel().alloc(), payloadBytes, publisherId, sent, now));
      sent++;
      burst++;
    }
    if (burst > 0) {
      client.flush();
    }
    if (burst == BURST) {
      client.channel().eventLoop().execute(this::fill);
    }
    completeIfDone();
  }

  private boolean room() {
    return qos == 0 ? client.channel().isWritable() : client.inflight() < window;
  }

  private void completeIfDone() {
    if (stopped && client.inflight() == 0) {
      done.complete(null);
    }
  }
}
