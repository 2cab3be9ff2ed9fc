package io.meshmq.harness;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What one subscriber received, message by message: per publisher the set of sequence numbers seen (so loss and
 * duplicates are counted, not assumed), how many arrived after a higher sequence number of the same publisher,
 * and the latency from each message's intended send time. Written only by the subscriber's event loop; the
 * counters the main thread polls during a run are volatile.
 */
final class DeliveryLedger {

  private final BitSet[] seen;
  private final long[] highest;
  private volatile long recordLatencyFromNanos = Long.MIN_VALUE;
  private final Histogram latencyMicros = new Histogram(3);
  private volatile long received;
  private volatile long probes;
  private volatile long lastReceiveNanos;
  private long duplicated;
  private long outOfOrder;

  /** @param publishers number of publishers, with ids 0 to publishers - 1 */
  DeliveryLedger(int publishers) {
    seen = new BitSet[publishers];
    highest = new long[publishers];
    for (int i = 0; i < publishers; i++) {
      seen[i] = new BitSet();
      highest[i] = -1;
    }
  }

  /** Messages meant to be sent before this time (a warm-up) are counted but not timed. */
  void recordLatencyFrom(long nanos) {
    recordLatencyFromNanos = nanos;
  }

  void record(int publisher, long sequence, long intendedNanos, long nowNanos) {
    if (publisher == BenchPayload.PROBE) {
      probes++;
      return;
    }
    if (publisher < 0 || publisher >= seen.length || sequence < 0 || sequence > Integer.MAX_VALUE) {
      throw new IllegalStateException("payload from no publisher of this run: " + publisher + "/" + sequence);
    }
    received++;
    lastReceiveNanos = nowNanos;
    int seq = (int) sequence;
    if (seen[publisher].get(seq)) {
      duplicated++;
    } else {
      seen[publisher].set(seq);
    }
    if (sequence < highest[publisher]) {
      outOfOrder++;
    } else {
      highest[publisher] = sequence;
    }
    if (intendedNanos >= recordLatencyFromNanos) {
      latencyMicros.recordValue(Math.max(0, (nowNanos - intendedNanos) / 1000));
    }
  }

  long received() {
    return received;
  }

  long probes() {
    return probes;
  }

  long lastReceiveNanos() {
    return lastReceiveNanos;
  }

  long duplicated() {
    return duplicated;
  }

  long outOfOrder() {
    return outOfOrder;
  }

  /** Distinct messages received from the publisher. */
  long distinct(int publisher) {
    return seen[publisher].cardinality();
  }

  Histogram latencyMicros() {
    return latencyMicros;
  }
}
