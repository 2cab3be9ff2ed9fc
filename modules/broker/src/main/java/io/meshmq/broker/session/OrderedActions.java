package io.meshmq.broker.session;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs actions in the order they were given, each once the write it waits for has completed (either way).
 * MQTT wants PUBLISH, PUBREC and PUBREL in order, while the session store's writes for them complete in any
 * order; a failed write still lets its action run (the message is then at least once, not lost).
 * Owner-context only; {@code onOwner} brings the completion of a write back to it.
 */
public final class OrderedActions {

  private record Pending(Future<?> ready, Runnable action) {
  }

  private final Executor onOwner;
  /** Allocated on the first action that has to wait: most sessions never write anything. */
  private ArrayDeque<Pending> pending;

  public OrderedActions(Executor onOwner) {
    this.onOwner = onOwner;
  }

  /** Runs {@code action} now if nothing is waiting and {@code ready} is null or done, else after both. */
  public void run(Future<?> ready, Runnable action) {
    boolean idle = pending == null || pending.isEmpty();
    if (idle && (ready == null || ready.isComplete())) {
      action.run();
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
    pending.add(new Pending(ready, action));
    if (ready != null) {
      ready.onComplete(ar -> onOwner.execute(this::runReady));
    }
  }

  /** Whether an action is waiting (then anything that must stay behind it goes through {@link #run}). */
  public boolean busy() {
    return pending != null && !pending.isEmpty();
  }

  private void runReady() {
    while (pending != null && !pending.isEmpty()) {
      Pending head = pending.peek();
      if (head.ready() != null && !head.ready().isComplete()) {
        return;
      }
      pending.poll();
      head.action().run();
    }
  }
}
