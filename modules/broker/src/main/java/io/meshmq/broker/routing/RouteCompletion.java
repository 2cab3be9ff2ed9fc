package io.meshmq.broker.routing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the sessions (and stores) a routed message still has to reach, and runs the publisher's
 * continuation (its PUBACK/PUBREC, and reading on) on the publisher's context once all of them have it,
 * saying whether every one of them has it safe. It is its own counter: one object per routed message rather
 * than two.
 */
final class RouteCompletion extends AtomicInteger {

  private final Context context;
  private final Router.Routed onDone;
  /** Some session could not put the message on record: the publisher must not be told it is safe. */
  private volatile boolean unsafe;

  RouteCompletion(Context context, Router.Routed onDone) {
    super(1);
    this.context = context;
    this.onDone = onDone;
  }

  void add() {
    incrementAndGet();
  }

  /** One target did not keep the message safe (its record was not written); {@link #done()} follows. */
  void unsafe() {
    unsafe = true;
  }

  void done() {
    if (decrementAndGet() == 0 && onDone != null) {
      if (context == null || Vertx.currentContext() == context) {
        onDone.routed(!unsafe);
      } else {
        context.runOnContext(v -> onDone.routed(!unsafe));
      }
    }
  }
}
