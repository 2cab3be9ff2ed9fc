package io.meshmq.broker.connection;

import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's connection limits, checked on every CONNECT whichever listener it came through: at most
 * {@code maxConnections} connections between their CONNECT and their close, and at most {@code connectsPerSecond}
 * CONNECTs per second (a token bucket that lets a burst of one second's worth through). Thread-safe: every
 * event loop of the node asks the same instance.
 */
public final class ConnectionAdmission {

  /** What {@link #admit} decided. */
  public enum Verdict { ADMITTED, TOO_MANY_CONNECTIONS, RATE_EXCEEDED }

  private final int maxConnections;
  private final Bucket connectRate;
  private final AtomicInteger admitted = new AtomicInteger();

  /**
   * @param maxConnections 0 = unlimited
   * @param connectsPerSecond 0 = unlimited
   */
  public ConnectionAdmission(int maxConnections, int connectsPerSecond) {
    this.maxConnections = maxConnections;
    this.connectRate = connectsPerSecond <= 0 ? null : Bucket.builder()
        .addLimit(limit -> limit.capacity(connectsPerSecond).refillGreedy(connectsPerSecond, Duration.ofSeconds(1)))
        .build();
  }

  /** Takes a place for a new connection; an admitted connection must {@link #release} it when it closes. */
  public Verdict admit() {
    if (connectRate != null && !connectRate.tryConsume(1)) {
      return Verdict.RATE_EXCEEDED;
    }
    if (maxConnections <= 0) {
      admitted.incrementAndGet();
      return Verdict.ADMITTED;
    }
    int now = admitted.incrementAndGet();
    if (now > maxConnections) {
      admitted.decrementAndGet();
      return Verdict.TOO_MANY_CONNECTIONS;
    }
    return Verdict.ADMITTED;
  }

  public void release() {
    admitted.decrementAndGet();
  }

  /** Connections admitted and not yet closed (connected clients plus those still being authenticated). */
  public int admitted() {
    return admitted.get();
  }

  public int maxConnections() {
    return maxConnections;
  }
}
