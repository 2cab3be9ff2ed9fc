package io.meshmq.server.http;

import io.meshmq.cluster.ClusterNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The check behind {@code /health/cluster-safe}: may another node be taken down now without losing data? True when
 * Hazelcast reports every partition's backups in sync (no migration under way); always true for a standalone
 * broker. A rolling restart waits for it between two nodes (Kubernetes: the preStop hook, see k8s/statefulset.yaml);
 * readiness does not include it, since a survivor of a crash serves clients while its partitions migrate.
 *
 * <p>With a wait, the answer is held (timers, no thread) until the cluster is safe or the wait is over, so that a
 * preStop hook can be one HTTP GET.
 */
final class ClusterSafety {

  /** How often a held request asks Hazelcast again. */
  static final long POLL_MILLIS = 500;
  /**
   * How long one answer may take. Hazelcast waits up to 10 s for each member's reply, and a member just killed
   * never replies (measured: every call made in the first moments after a SIGKILL took the full 10 s): members that
   * do not answer in time do not make the cluster safe.
   */
  static final long ANSWER_TIMEOUT_MILLIS = 2_000;

  private final Vertx vertx;
  private final OpsTarget target;
  /**
   * The question being put to Hazelcast, shared by every request meanwhile, so that a slow answer never ties up more
   * than one worker thread. Set on the HTTP listener's context; cleared by the answer, on whichever thread it comes.
   */
  private volatile Future<Boolean> asking;

  ClusterSafety(Vertx vertx, OpsTarget target) {
    this.vertx = vertx;
    this.target = target;
  }

  /** The verdict now, or as soon as the cluster is safe within {@code waitMillis} (0: now). */
  Future<JsonObject> check(long waitMillis) {
    long start = System.nanoTime();
    Promise<Boolean> safe = Promise.promise();
    poll(start + TimeUnit.MILLISECONDS.toNanos(waitMillis), safe);
    return safe.future().map(ok -> HealthVerdict.of(Map.of("cluster-safe", ok))
        .put("clustered", target.cluster() != null)
        .put("waitedMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
  }

  private void poll(long deadline, Promise<Boolean> result) {
    isSafe().onComplete(ar -> {
      boolean ok = ar.succeeded() && ar.result();
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (ok || leftMillis <= 0) {
        result.complete(ok);
      } else {
        vertx.setTimer(Math.max(1, Math.min(POLL_MILLIS, leftMillis)), id -> poll(deadline, result));
      }
    });
  }

  private Future<Boolean> isSafe() {
    ClusterNode cluster = target.cluster();
    if (cluster == null) {
      return Future.succeededFuture(true);
    }
    Future<Boolean> call = asking;
    if (call == null) {
      // isClusterSafe asks the other members: a worker thread, not the event loop.
      Future<Boolean> started = vertx.executeBlocking(cluster::isClusterSafe, false);
      asking = started;
      // Registered after the assignment, so that an answer that came before it clears it too (with the reset
      // registered first, one node kept answering DOWN at once, for good, after a peer's crash).
      started.onComplete(ar -> {
        if (asking == started) {
          asking = null;
        }
      });
      call = started;
    }
    return call.timeout(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).recover(e -> Future.succeededFuture(false));
  }
}
