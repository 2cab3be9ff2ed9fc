package io.meshmq.core.session;

import io.meshmq.core.message.Delivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded queue of a session: messages waiting while the client is offline or its in-flight window is
 * full. Overflow policy, never silent (every outcome other than {@link Offer#QUEUED} is reported to the
 * caller, which counts and logs it):
 * <ol>
 *   <li>room left: queue it;</li>
 *   <li>full, and a QoS 0 message is queued: drop the oldest QoS 0 message, queue the new one;</li>
 *   <li>full of QoS 1/2 messages: refuse the new message (the queued ones keep their order and promise).</li>
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

  /** Allocated on first use: most sessions never queue anything, and idle connections should cost little. */
  private ArrayDeque<Delivery> queue;
  private int capacity;
  private int qos0Count;
  private final LongAdder depth;

  public MessageQueue(int capacity) {
    this(capacity, new LongAdder());
  }

  /**
   * A queue that adds every change of its size to {@code depth}, a counter shared by all the queues of a node: its
   * sum is the node's queue depth, read without visiting the queues.
   */
  public MessageQueue(int capacity, LongAdder depth) {
    setCapacity(capacity);
    this.depth = depth;
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

  public Offer offer(Delivery d) {
    if (size() < capacity) {
      add(d);
      return Offer.QUEUED;
    }
    if (qos0Count > 0 && removeOldestQos0()) {
      add(d);
      return Offer.QUEUED_DROPPED_OLDEST_QOS0;
    }
    return Offer.REFUSED_FULL;
  }

  /** Puts a message back at the head (e.g. taken for sending but the window was closed meanwhile). */
  public void pushFront(Delivery d) {
    queue().addFirst(d);
    depth.increment();
    if (d.qos() == 0) {
      qos0Count++;
    }
  }

  /** The next message that has not expired at {@code nowMillis}; expired ones are removed and counted. */
  public Delivery poll(long nowMillis, ExpiredCounter expired) {
    if (queue == null) {
      return null;
    }
    Delivery d;
    while ((d = queue.poll()) != null) {
      depth.decrement();
      if (d.qos() == 0) {
        qos0Count--;
      }
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
        depth.decrement();
        if (d.qos() == 0) {
          qos0Count--;
        }
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
    depth.increment();
    if (d.qos() == 0) {
      qos0Count++;
    }
  }

  private boolean removeOldestQos0() {
    for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
      if (it.next().qos() == 0) {
        it.remove();
        depth.decrement();
        qos0Count--;
        return true;
      }
    }
    return false;
  }

  /** Told about each message that expired in the queue, so that it is counted, never silently lost. */
  @FunctionalInterface
  public interface ExpiredCounter {
    void expired(Delivery d);
  }
}
