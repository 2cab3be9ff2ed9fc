package io.meshmq.harness;

import org.HdrHistogram.Histogram;

/**
 * The packet ids of one publisher's unacknowledged QoS 1/2 messages, and how long each waited for its
 * acknowledgement (PUBACK, or PUBCOMP at QoS 2): from the moment its PUBLISH was written to the moment the
 * acknowledgement was read. That wait is what a device sees of a broker's push-back, so it is timed from the
 * actual write, not from an intended send time. A client makes this table on its first QoS 1/2 publish, so
 * subscribers hold none of its 576 KB (a run may have thousands of them). Touched only on the client's event loop.
 */
final class InflightIds {

  /** Packet ids run from 1 to 65,535; an id still unacknowledged is skipped. */
  private static final int MAX_PACKET_ID = 65_535;

  private final boolean[] inUse = new boolean[MAX_PACKET_ID + 1];
  private final long[] sentNanos = new long[MAX_PACKET_ID + 1];
  private final Histogram ackWaitMicros = new Histogram(3);
  private int nextPacketId = 1;
  /** Waits of messages written before this ({@link System#nanoTime}) are not timed: the run's warm-up. */
  private final long timeFromNanos;

  InflightIds(long timeFromNanos) {
    this.timeFromNanos = timeFromNanos;
  }

  /** Takes a free packet id for a PUBLISH written at {@code nowNanos}. */
  int take(long nowNanos) {
    for (int tries = 0; tries < MAX_PACKET_ID; tries++) {
      int id = nextPacketId;
      nextPacketId = id == MAX_PACKET_ID ? 1 : id + 1;
      if (!inUse[id]) {
        inUse[id] = true;
        sentNanos[id] = nowNanos;
        return id;
      }
    }
    throw new IllegalStateException("all 65,535 packet ids unacknowledged");
  }

  /**
   * Frees the id of an acknowledged message and times its wait.
   *
   * @return false when the id was not in flight (the broker acknowledged something never sent, or twice)
   */
  boolean complete(int packetId, long nowNanos) {
    if (!inUse[packetId]) {
      return false;
    }
    inUse[packetId] = false;
    if (sentNanos[packetId] >= timeFromNanos) {
      ackWaitMicros.recordValue(Math.max(0, (nowNanos - sentNanos[packetId]) / 1000));
    }
    return true;
  }

  /** Read by another thread only once the client's connection is closed (its last write happened before). */
  Histogram ackWaitMicros() {
    return ackWaitMicros;
  }
}
