package io.meshmq.server.http;

import io.meshmq.cluster.ClusterNode;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks behind {@code /health/ready}: can this node serve MQTT? Its listeners are bound, it is not draining
 * and, in a cluster, it has joined with the route table loaded. Nothing here depends on another member: a peer's
 * crash must not take the survivors out of the load balancer (with "cluster safe" among these checks it did, every
 * survivor at once, for as long as the partitions migrated). Whether another node may be taken down is
 * {@link ClusterSafety}'s question.
 */
final class Readiness {

  private final OpsTarget target;

  Readiness(OpsTarget target) {
    this.target = target;
  }

  /** The checks by name, UP when passed, then an overall verdict. Reads local state only: cheap, never blocks. */
  JsonObject check() {
    Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("mqtt-listeners", !target.broker().listeners().isEmpty());
    ClusterNode cluster = target.cluster();
    checks.put("not-draining", !target.stopping().getAsBoolean() && (cluster == null || !cluster.isDraining()));
    if (cluster != null) {
      // A ClusterNode exists only once it has joined and loaded the whole route table.
      checks.put("cluster-joined", cluster.memberNodeIds().contains(cluster.nodeId()));
    }
    return HealthVerdict.of(checks);
  }
}
