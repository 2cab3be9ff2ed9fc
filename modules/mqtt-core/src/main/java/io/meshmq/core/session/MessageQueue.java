package io.meshmq.core.session;

import io.meshmq.core.message.Delivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded queue of a session: messages waiting while the client is offline or its in-flight window is
 * full. Two bounds: a number of messages and a number of bytes (payload + topic, see {@link #sizeOf}; 0 = no byte
 * bound). Overflow policy, the same for both bounds, never silent (every outcome other than {@link Offer#QUEUED}
 * is reported to the caller, which counts and logs it; {@link #lastBoundReached} says which bound it was):
 * <ol>
 *   <li>room left: queue it;</li>
 *   <li>full, and dropping the oldest queued QoS 0 messages makes room: drop them (one for the message bound;
 *   as many as needed for the byte bound), queue the new one;</li>
 *   <li>otherwise: refuse the new message (the queued ones keep their order and promise), and drop nothing.</li>
 * </ol>
 * Not thread-safe: owned by the session's context; only the shared depth counter is touched from every queue.
 */
public final class MessageQueue {

  /** What {@link #offer} did. */
  public enum Offer {
    QUEUED,
    /** Queued after dropping the oldest queued QoS 0 message. */
    QUEUED_DROPPED_OLDEST_QOS0,
    /** Not queued: the queue is full of QoS 1/2 messages. */
    REFUSED_FULL
  }

  /** Which bound an offer ran into. */
  public enum Bound {
    NONE, MESSAGES, BYTES
  }

  /** Allocated on first use: most sessions never queue anything, and idle connections should cost little. */
  private ArrayDeque<Delivery> queue;
  private int capacity;
  private final long maxBytes;
  private int qos0Count;
  private long qos0Bytes;
  private long bytes;
  private Bound lastBound = Bound.NONE;
  private int lastDropped;
  private final LongAdder depth;

  public MessageQueue(int capacity) {
    this(capacity, 0, new LongAdder());
  }

  /** @param maxBytes bound on the bytes queued ({@link #sizeOf}); 0 = none */
  public MessageQueue(int capacity, long maxBytes) {
    this(capacity, maxBytes, new LongAdder());
  }

  /**
   * A queue without byte bound that adds every change of its size to {@code depth}, a counter shared by all the
   * queues of a node: its sum is the node's queue depth, read without visiting the queues.
   */
  public MessageQueue(int capacity, LongAdder depth) {
    this(capacity, 0, depth);
  }

  /**
   * @param maxBytes bound on the bytes queued ({@link #sizeOf}); 0 = none
   * @param depth counter shared by all the queues of a node, to which every change of this queue's size is added
   */
  public MessageQueue(int capacity, long maxBytes, LongAdder depth) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes " + maxBytes);
    }
    setCapacity(capacity);
    this.maxBytes = maxBytes;
    this.depth = depth;
  }

  /** What a message counts for against the byte bound: its payload and its topic (as UTF-16 length, cheap). */
  public static long sizeOf(Delivery d) {
    return (long) d.message().payload().length + d.message().topic().length();
  }

  public void setCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  /** The byte bound; 0 = none. */
  public long maxBytes() {
    return maxBytes;
  }

  public Offer offer(Delivery d) {
    lastDropped = 0;
    long size = sizeOf(d);
    boolean countFull = size() >= capacity;
    boolean bytesFull = maxBytes > 0 && bytes + size > maxBytes;
    if (!countFull && !bytesFull) {
      lastBound = Bound.NONE;
      add(d);
      return Offer.QUEUED;
    }
    lastBound = bytesFull ? Bound.BYTES : Bound.MESSAGES;
    // Room can be made only from QoS 0 messages, and only if dropping them is enough for both bounds.
    boolean enoughQos0 = qos0Count > 0 && size() - qos0Count < capacity
        && (maxBytes == 0 || bytes - qos0Bytes + size <= maxBytes);
    if (!enoughQos0) {
      return Offer.REFUSED_FULL;
    }
    while (size() >= capacity || (maxBytes > 0 && bytes + size > maxBytes)) {
      removeOldestQos0();
      lastDropped++;
    }
    add(d);
    return Offer.QUEUED_DROPPED_OLDEST_QOS0;
  }

  /** The bound the last {@link #offer} ran into ({@link Bound#NONE} when it was simply queued). */
  public Bound lastBoundReached() {
    return lastBound;
  }

  /** How many QoS 0 messages the last {@link #offer} dropped to make room. */
  public int lastDroppedCount() {
    return lastDropped;
  }

  /** Bytes queued now, as counted against the byte bound. */
  public long bytes() {
    return bytes;
  }

  /** Puts a message back at the head (e.g. taken for sending but the window was closed meanwhile). */
  public void pushFront(Delivery d) {
    queue().addFirst(d);
    counted(d, 1);
  }

  /** The next message that has not expired at {@code nowMillis}; expired ones are removed and counted. */
  public Delivery poll(long nowMillis, ExpiredCounter expired) {
    if (queue == null) {
      return null;
    }
    Delivery d;
    while ((d = queue.poll()) != null) {
      counted(d, -1);
      if (!d.message().isExpired(nowMillis)) {
        return d;
      }
      expired.expired(d);
    }
    return null;
  }

  /** Removes every expired message; returns how many. */
  public int purgeExpired(long nowMillis, ExpiredCounter expired) {
    if (queue == null) {
      return 0;
    }
    int n = 0;
    for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
      Delivery d = it.next();
      if (d.message().isExpired(nowMillis)) {
        it.remove();
        counted(d, -1);
        expired.expired(d);
        n++;
      }
    }
    return n;
  }

  public int size() {
    return queue == null ? 0 : queue.size();
  }

  public boolean isEmpty() {
    return queue == null || queue.isEmpty();
  }

  public List<Delivery> snapshot() {
    return queue == null ? new ArrayList<>() : new ArrayList<>(queue);
  }

  public List<Delivery> drain() {
    List<Delivery> all = snapshot();
    depth.add(-all.size());
    queue = null;
    qos0Count = 0;
    qos0Bytes = 0;
    bytes = 0;
    return all;
  }

  private ArrayDeque<Delivery> queue() {
    if (queue == null) {
      queue = new ArrayDeque<>(4);
    }
    return queue;
  }

  private void add(Delivery d) {
    queue().addLast(d);
    counted(d, 1);
  }

  /**
   * Keeps the counts in step with the deque, and the node-wide depth counter with them: {@code sign} 1 for a
   * message added, -1 for one removed.
   */
  private void counted(Delivery d, int sign) {
    depth.add(sign);
    long size = sizeOf(d);
    bytes += sign * size;
    if (d.qos() == 0) {
      qos0Count += sign;
      qos0Bytes += sign * size;
    }
  }

  private void removeOldestQos0() {
    for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
      Delivery d = it.next();
      if (d.qos() == 0) {
        it.remove();
        counted(d, -1);
        return;
      }
    }
  }

  /** Told about each message that expired in the queue, so that it is counted, never silently lost. */
  @FunctionalInterface
  public interface ExpiredCounter {
    void expired(Delivery d);
  }
}
