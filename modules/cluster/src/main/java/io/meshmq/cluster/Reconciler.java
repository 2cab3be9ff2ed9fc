package io.meshmq.cluster;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.session.Session;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this node in line with the cluster maps: its routes re-asserted and the ones it no longer has deleted,
 * and any local client whose id the registry gives to another node taken down (after a split brain both sides
 * may have let the same client id in). Runs periodically, and at once when this node or another merged back.
 */
final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final BrokerNode node;
  private final RouteTable routes;
  private final ClientRegistry clients;
  private final Predicate<String> isMember;
  /**
   * Between Hazelcast's MERGING and MERGED (or MERGE_FAILED) on this member. Its maps then hold only the other
   * side's entries (this side's are on their way over), so a round would take down local clients whose newer
   * claims are about to win the merge: no round runs.
   */
  private volatile boolean merging;

  Reconciler(BrokerNode node, RouteTable routes, ClientRegistry clients, Predicate<String> isMember) {
    this.node = node;
    this.routes = routes;
    this.clients = clients;
    this.isMember = isMember;
  }

  void mergeStarted() {
    merging = true;
  }

  void mergeEnded() {
    merging = false;
  }

  /** One round; on a Vert.x context. Completes once both checks are done. */
  Future<Void> run() {
    if (merging) {
      return Future.succeededFuture();
    }
    return Future.join(routes.reconcile(), dropClientsClaimedElsewhere()).mapEmpty();
  }

  /** A client id the registry gives to another node is taken down here (MQTT 5: 0x8E, session taken over). */
  private Future<Void> dropClientsClaimedElsewhere() {
    List<String> online = new ArrayList<>();
    for (Session s : node.sessions().all()) {
      if (s.isOnline()) {
        online.add(s.clientId());
      }
    }
    if (online.isEmpty()) {
      return Future.succeededFuture();
    }
    return clients.claimedElsewhere(online, isMember).map(lost -> {
      for (String id : lost) {
        Session s = node.sessions().get(id);
        if (s != null) {
          log.warn("Client {} is connected here and, since the cluster merged, on another node too, which the "
              + "cluster registry names: disconnecting it here", id);
          s.execute(s::discard);
        }
      }
      return null;
    });
  }
}
