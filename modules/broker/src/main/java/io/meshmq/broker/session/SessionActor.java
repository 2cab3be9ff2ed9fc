package io.meshmq.broker.session;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor half of a session: its state is touched only on its owner context, through {@link #execute}, whose
 * mailbox keeps the order in which work was handed to it. The owner is the context of the connection attached
 * last; a resuming connection on another event loop moves it there ({@link #moveOwner}), and tasks still waiting
 * follow it, in order. A base class rather than a field, so that an idle session costs no object for it; the
 * mailbox itself is made on first use (an idle session never needs one).
 */
abstract class SessionActor {

  private static final Logger log = LoggerFactory.getLogger(SessionActor.class);
  private static final int MAX_TASKS_PER_DRAIN = 1024;
  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<SessionActor, ConcurrentLinkedQueue> MAILBOX =
      AtomicReferenceFieldUpdater.newUpdater(SessionActor.class, ConcurrentLinkedQueue.class, "mailbox");
  private static final AtomicIntegerFieldUpdater<SessionActor> DRAIN_SCHEDULED =
      AtomicIntegerFieldUpdater.newUpdater(SessionActor.class, "drainScheduled");

  private volatile ConcurrentLinkedQueue<Runnable> mailbox;
  private volatile int drainScheduled;
  private volatile Context owner;

  SessionActor(Context owner) {
    this.owner = owner;
  }

  /** Runs the task on the owner context, after every task handed to this session before it. */
  public void execute(Runnable task) {
    ConcurrentLinkedQueue<Runnable> box = mailbox;
    if (Vertx.currentContext() == owner && drainScheduled == 0 && (box == null || box.isEmpty())) {
      runSafely(task);
      return;
    }
    mailbox().offer(task);
    if (DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
      owner.runOnContext(v -> drain());
    }
  }

  /** Whether the session lives on that context now. */
  public boolean isOwnedBy(Context context) {
    return owner == context;
  }

  /** From now on the session's tasks run on {@code newOwner} (owner context only). */
  void moveOwner(Context newOwner) {
    owner = newOwner;
  }

  /** Names the session in the log line of a task that failed. */
  abstract String name();

  @SuppressWarnings("unchecked")
  private ConcurrentLinkedQueue<Runnable> mailbox() {
    ConcurrentLinkedQueue<Runnable> box = mailbox;
    if (box == null) {
      MAILBOX.compareAndSet(this, null, new ConcurrentLinkedQueue<Runnable>());
      box = mailbox;
    }
    return box;
  }

  private void drain() {
    for (int done = 0; ; done++) {
      Context o = owner;
      if (Vertx.currentContext() != o) {
        // The session moved while tasks were waiting: they follow it, still in order.
        o.runOnContext(v -> drain());
        return;
      }
      if (done == MAX_TASKS_PER_DRAIN) {
        o.runOnContext(v -> drain());
        return;
      }
      Runnable task = mailbox().poll();
      if (task == null) {
        break;
      }
      runSafely(task);
    }
    drainScheduled = 0;
    if (!mailbox().isEmpty() && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
      owner.runOnContext(v -> drain());
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("Session {}: task failed", name(), e);
    }
  }
}
