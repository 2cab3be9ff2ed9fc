package io.meshmq.broker.routing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the sessions (and stores) a routed message still has to reach, and runs the publisher's
 * continuation (its PUBACK/PUBREC, and reading on) on the publisher's context once all of them have it.
 * It is its own counter: one object per routed message rather than two.
 */
final class RouteCompletion extends AtomicInteger {

  private final Context context;
  private final Runnable onDone;

  RouteCompletion(Context context, Runnable onDone) {
    super(1);
    this.context = context;
    this.onDone = onDone;
  }

  void add() {
    incrementAndGet();
  }

  void done() {
    if (decrementAndGet() == 0 && onDone != null) {
      if (context == null || Vertx.currentContext() == context) {
        onDone.run();
      } else {
        context.runOnContext(v -> onDone.run());
      }
    }
  }
}
