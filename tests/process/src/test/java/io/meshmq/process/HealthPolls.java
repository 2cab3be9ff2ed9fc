package io.meshmq.process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Polls health endpoints the way a load balancer or the kubelet does, each at a fixed delay on a thread of its own
 * (a slow answer of one endpoint never delays the polls of another), and keeps every answer with its time.
 */
final class HealthPolls implements AutoCloseable {

  /** One answer: which endpoint, when it was asked (epoch millis), and the HTTP status (-1: no answer). */
  record Poll(String endpoint, long askedAt, int status) {
  }

  private final Duration every;
  private final List<Poll> polls = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService threads;

  HealthPolls(Duration every, int endpoints) {
    this.every = every;
    this.threads = Executors.newScheduledThreadPool(endpoints, r -> {
      Thread t = new Thread(r, "health-poll");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts polling {@code status} under the name {@code endpoint}. */
  void watch(String endpoint, IntSupplier status) {
    threads.scheduleWithFixedDelay(() -> {
      long at = System.currentTimeMillis();
      int answer = status.getAsInt();
      if (!Thread.currentThread().isInterrupted()) { // a poll cut short by close() got no answer to keep
        polls.add(new Poll(endpoint, at, answer));
      }
    }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The answers of one endpoint so far, oldest first. */
  List<Poll> of(String endpoint) {
    return polls.stream().filter(p -> p.endpoint().equals(endpoint)).toList();
  }

  @Override
  public void close() {
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(15, TimeUnit.SECONDS)) {
        Clock.log("health polls still running 15 s after shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
