package io.meshmq.broker.routing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the sessions (and stores) a routed message still has to reach, and runs the publisher's
 * continuation (its PUBACK/PUBREC, and reading on) on the publisher's context once all of them have it.
 */
final class RouteCompletion {

  private final AtomicInteger pending = new AtomicInteger(1);
  private final Context context;
  private final Runnable onDone;

  RouteCompletion(Context context, Runnable onDone) {
    this.context = context;
    this.onDone = onDone;
  }

  void add() {
    pending.incrementAndGet();
  }

  void done() {
    if (pending.decrementAndGet() == 0 && onDone != null) {
      if (context == null || Vertx.currentContext() == context) {
        onDone.run();
      } else {
        context.runOnContext(v -> onDone.run());
      }
    }
  }
}
