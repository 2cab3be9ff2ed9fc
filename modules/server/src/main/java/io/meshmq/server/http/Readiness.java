package io.meshmq.server.http;

import io.meshmq.cluster.ClusterNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The readiness checks behind {@code /health/ready}: MQTT listeners bound, not draining and, in a cluster, joined
 * with the route table loaded and the cluster safe (every partition's backups in sync).
 */
final class Readiness {

  private final Vertx vertx;
  private final OpsTarget target;

  Readiness(Vertx vertx, OpsTarget target) {
    this.vertx = vertx;
    this.target = target;
  }

  /** The checks by name, true when passed, then an overall verdict; completes off the event loop's back. */
  Future<JsonObject> check() {
    Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("mqtt-listeners", !target.broker().listeners().isEmpty());
    ClusterNode cluster = target.cluster();
    checks.put("not-draining", !target.stopping().getAsBoolean() && (cluster == null || !cluster.isDraining()));
    if (cluster == null) {
      return Future.succeededFuture(verdict(checks));
    }
    // A ClusterNode exists only once it has joined and loaded the whole route table.
    checks.put("cluster-joined", cluster.memberNodeIds().contains(cluster.nodeId()));
    // isClusterSafe asks the other members: a worker thread, not the event loop.
    return vertx.executeBlocking(cluster::isClusterSafe, false)
        .recover(e -> Future.succeededFuture(false))
        .map(safe -> {
          checks.put("cluster-safe", safe);
          return verdict(checks);
        });
  }

  private static JsonObject verdict(Map<String, Boolean> checks) {
    JsonObject detail = new JsonObject();
    JsonArray failed = new JsonArray();
    checks.forEach((name, ok) -> {
      detail.put(name, ok ? "UP" : "DOWN");
      if (!ok) {
        failed.add(name);
      }
    });
    return new JsonObject().put("status", failed.isEmpty() ? "UP" : "DOWN").put("checks", detail).put("failed", failed);
  }

  static boolean isUp(JsonObject verdict) {
    return "UP".equals(verdict.getString("status"));
  }
}
