package io.meshmq.broker.connection;

import io.vertx.core.internal.net.NetSocketInternal;
import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Vert.x 5 socket carries an outbound write queue: a padded JCTools MPSC queue (576 bytes) whose first
 * chunk is a 1,025-slot array (4 KB), from Netty's {@code PlatformDependent.newMpscQueue()}, allocated whether
 * or not a write ever queues; at a million idle connections that is 4.6 GB of empty queues. Writes from the
 * socket's own event loop (nearly all of ours) bypass it, and Vert.x only calls {@code add} and {@code poll}
 * on it, so a {@link ConcurrentLinkedQueue} (multi-producer safe, 24 bytes while empty) does the same job.
 * Swapped once, on the event loop, before the first write; if a Vert.x upgrade changes these internals the
 * swap is skipped with one warning and everything works as before, at the old cost.
 */
final class OutboundQueueShrinker {

  private static final Logger log = LoggerFactory.getLogger(OutboundQueueShrinker.class);
  private static final Field[] PATH = lookup();

  private OutboundQueueShrinker() {
  }

  static void shrink(NetSocketInternal socket) {
    if (PATH == null) {
      return;
    }
    try {
      Object writeQueue = PATH[0].get(socket);
      Object passingQueue = PATH[1].get(writeQueue);
      Queue<?> current = (Queue<?>) PATH[2].get(passingQueue);
      if (current.isEmpty()) {
        PATH[2].set(passingQueue, new ConcurrentLinkedQueue<>());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("outbound queue not shrunk", e);
    }
  }

  private static Field[] lookup() {
    try {
      Field writeQueue = Class.forName("io.vertx.core.net.impl.VertxConnection").getDeclaredField("outboundMessageQueue");
      Field passingQueue = Class.forName("io.vertx.core.internal.concurrent.OutboundMessageQueue").getDeclaredField("mqp");
      Field queue = Class.forName("io.vertx.core.streams.impl.MessagePassingQueue").getDeclaredField("queue");
      writeQueue.setAccessible(true);
      passingQueue.setAccessible(true);
      queue.setAccessible(true);
      return new Field[] {writeQueue, passingQueue, queue};
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("Vert.x internals changed: idle connections keep Vert.x's 4 KB outbound queue ({})", e.toString());
      return null;
    }
  }
}
