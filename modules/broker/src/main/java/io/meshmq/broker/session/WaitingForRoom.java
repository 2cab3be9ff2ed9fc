package io.meshmq.broker.session;

import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.session.MessageQueue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * QoS 1/2 messages published on this node for a connected client whose session queue is full. Each one holds back
 * its publisher's acknowledgement until the queue has room again, so that a subscriber that falls behind slows its
 * publishers down (their sockets are read no further once {@code mqtt.max-pending-routes} wait) instead of making
 * the broker drop what it acknowledged. At most a queue's worth wait. Owner context only.
 */
final class WaitingForRoom {

  private record Entry(Delivery delivery, Promise<Void> queued, long sinceMillis) {
  }

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  /** The returned future completes once the message is in the queue (or handed on): the publisher waits for it. */
  Future<Void> add(Delivery d, long nowMillis) {
    Promise<Void> queued = Promise.promise();
    entries.add(new Entry(d, queued, nowMillis));
    return queued.future();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  /** Since when the oldest message has been waiting (meaningless when empty). */
  long oldestSinceMillis() {
    return entries.isEmpty() ? 0 : entries.peek().sinceMillis();
  }

  /** Moves waiting messages, oldest first, into the queue while it takes them; their publishers are acknowledged. */
  void admitInto(MessageQueue queue, BrokerStats stats) {
    while (!entries.isEmpty()) {
      Entry e = entries.peek();
      MessageQueue.Offer offer = queue.offer(e.delivery());
      if (offer == MessageQueue.Offer.REFUSED_FULL) {
        return;
      }
      if (offer == MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0) {
        stats.droppedQos0ForRoom.add(queue.lastDroppedCount());
      }
      entries.poll();
      e.queued().complete();
    }
  }

  /** Lets every waiting message go to {@code fate} (the session queues or drops it), then acknowledges its publisher. */
  void releaseAll(Consumer<Delivery> fate) {
    for (Entry e; (e = entries.poll()) != null; ) {
      fate.accept(e.delivery());
      e.queued().complete();
    }
  }
}
