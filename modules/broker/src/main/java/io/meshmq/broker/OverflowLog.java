package io.meshmq.broker;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs full session queues without flooding: one line per interval, naming the latest client and how many
 * refusals happened since the last line. Every refusal is also counted in the broker stats.
 */
public final class OverflowLog {

  private static final Logger log = LoggerFactory.getLogger(OverflowLog.class);
  private static final long INTERVAL_MILLIS = 5_000;

  private final AtomicLong lastLine = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  /** @param bound the bound that was reached, for the log line ("1000 messages", "16777216 bytes") */
  public void warn(String clientId, String bound) {
    long now = System.currentTimeMillis();
    long last = lastLine.get();
    if (now - last >= INTERVAL_MILLIS && lastLine.compareAndSet(last, now)) {
      long more = suppressed.getAndSet(0);
      log.warn("Queue of session {} is full ({}, no QoS 0 message to drop for room): message refused{}", clientId, bound,
          more > 0 ? " (and " + more + " more refusals since the last report)" : "");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
