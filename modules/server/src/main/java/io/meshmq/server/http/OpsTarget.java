package io.meshmq.server.http;

import io.meshmq.broker.Broker;
import io.meshmq.cluster.ClusterNode;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the HTTP listener observes: the broker, the cluster node when the broker runs clustered, and whether the
 * process has begun to stop (readiness is false from that moment on).
 *
 * @param broker   the running broker
 * @param cluster  the cluster node, or null for a standalone broker
 * @param stopping true once the stop sequence has begun
 */
public record OpsTarget(Broker broker, ClusterNode cluster, BooleanSupplier stopping) {

  public Optional<ClusterNode> clusterNode() {
    return Optional.ofNullable(cluster);
  }

  public String nodeId() {
    return broker.node().nodeId();
  }
}
