package io.meshmq.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The payload of a benchmark message: which publisher sent it, its sequence number from that publisher, and the
 * {@link System#nanoTime()} at which it was meant to be sent, padded with zeros to the payload size. Publishers
 * and subscribers share one harness process, so the subscriber can subtract the intended send time from its
 * receive time. The sequence numbers let the subscriber count loss, duplicates and reordering per message.
 */
final class BenchPayload {

  /** Bytes used by publisher, sequence and time; the smallest payload a scenario may ask for. */
  static final int HEADER_BYTES = Integer.BYTES + Long.BYTES + Long.BYTES;

  /** Publisher id of the probe messages that check a route is in place before a run; never counted. */
  static final int PROBE = -1;

  private BenchPayload() {
  }

  static ByteBuf write(ByteBufAllocator alloc, int size, int publisher, long sequence, long intendedNanos) {
    ByteBuf b = alloc.buffer(size, size);
    b.writeInt(publisher).writeLong(sequence).writeLong(intendedNanos);
    b.writeZero(size - HEADER_BYTES);
    return b;
  }

  static int publisher(ByteBuf payload) {
    return payload.getInt(payload.readerIndex());
  }

  static long sequence(ByteBuf payload) {
    return payload.getLong(payload.readerIndex() + Integer.BYTES);
  }

  static long intendedNanos(ByteBuf payload) {
    return payload.getLong(payload.readerIndex() + Integer.BYTES + Long.BYTES);
  }
}
