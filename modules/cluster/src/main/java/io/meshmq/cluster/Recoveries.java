package io.meshmq.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which departed nodes' sessions are still being recovered. A client that reconnects while the node holding its
 * session is dead (declared so or not yet) waits here instead of starting afresh: its session comes back on the
 * survivor that recovers the node, and from there to the client's new node by the usual hand-over.
 *
 * <p>A node counts from the moment someone finds it unreachable or it leaves, until a survivor reports its sessions
 * recovered, and at most {@code forgetMillis}: a recovery that never reports (its survivor died too) must not hold
 * clients forever. A node this one never saw leave (it left before this one joined) is not pending.
 */
final class Recoveries {

  private final Vertx vertx;
  private final long forgetMillis;
  private final Map<String, Promise<Void>> pending = new ConcurrentHashMap<>();

  Recoveries(Vertx vertx, long forgetMillis) {
    this.vertx = vertx;
    this.forgetMillis = forgetMillis;
  }

  /** The node left the cluster (any thread): its sessions are being recovered from now on. */
  void departed(String node) {
    track(node);
  }

  /** A survivor reported the node's sessions recovered. */
  void recovered(String node) {
    track(node).tryComplete();
  }

  /** Whether the node left and its sessions are not recovered yet. */
  boolean inProgress(String node) {
    Promise<Void> p = pending.get(node);
    return p != null && !p.future().isComplete();
  }

  /** Whether any departed node's sessions are being recovered now (rarely: only just after a node's loss). */
  boolean anyInProgress() {
    for (Promise<Void> p : pending.values()) {
      if (!p.future().isComplete()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Completes on the caller's context when the node's sessions are recovered or after {@code maxMillis}, whichever
   * comes first; never fails (the caller looks again either way).
   */
  Future<Void> await(String node, long maxMillis) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> woken = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, maxMillis), id -> woken.tryComplete());
    track(node).future().onComplete(ar -> context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      woken.tryComplete();
    }));
    return woken.future();
  }

  private Promise<Void> track(String node) {
    return pending.computeIfAbsent(node, n -> {
      Promise<Void> p = Promise.promise();
      vertx.setTimer(forgetMillis, id -> pending.remove(n, p));
      return p;
    });
  }
}
