package io.meshmq.broker.connection;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.meshmq.broker.sys.Limit;
import java.time.Duration;

/**
 * The publish rate of one client: a token bucket for PUBLISH packets and one for their bytes, each with a burst
 * of one second's worth. A message is never refused: it is charged, the bucket may go into debt, and the charge
 * says how long the client must wait before more is read from it. Used on the connection's event loop only.
 */
final class PublishThrottle {

  private final Bucket messages;
  private final Bucket bytes;
  private Limit lastLimit;

  /** @return null when both rates are 0 (unlimited) */
  static PublishThrottle of(int messagesPerSecond, int bytesPerSecond) {
    if (messagesPerSecond <= 0 && bytesPerSecond <= 0) {
      return null;
    }
    return new PublishThrottle(bucket(messagesPerSecond), bucket(bytesPerSecond));
  }

  private PublishThrottle(Bucket messages, Bucket bytes) {
    this.messages = messages;
    this.bytes = bytes;
  }

  private static Bucket bucket(int perSecond) {
    if (perSecond <= 0) {
      return null;
    }
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .withSynchronizationStrategy(SynchronizationStrategy.NONE)
        .withNanosecondPrecision()
        .build();
  }

  /** Charges one PUBLISH of {@code size} bytes; returns the nanoseconds to wait before reading more (0 = none). */
  long charge(long size) {
    long messageWait = messages == null ? 0 : messages.consumeIgnoringRateLimits(1);
    long byteWait = bytes == null || size <= 0 ? 0 : bytes.consumeIgnoringRateLimits(size);
    lastLimit = byteWait > messageWait ? Limit.PUBLISH_BYTES_RATE : Limit.PUBLISH_RATE;
    return Math.max(messageWait, byteWait);
  }

  /** The rate that imposed the wait of the last {@link #charge}. */
  Limit lastLimit() {
    return lastLimit;
  }
}
