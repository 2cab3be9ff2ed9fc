package io.meshmq.cluster;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.SessionSnapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Installs on this node a session another node gave up (re-homed on its way out, or recovered after its death). */
final class SessionAdoption {

  private SessionAdoption() {
  }

  /**
   * Creates the session offline on {@code context}, records this node as its holder, and restores it (its
   * routes and expiry clock with it). Completes once restored, its messages are on this node's session store and the
   * registry names this node;
   * does nothing (and says so by returning false) when the client already has a live session here.
   */
  static Future<Boolean> adopt(BrokerNode node, ClientRegistry clients, Context context, SessionSnapshot snapshot,
                               long dedupeMillis) {
    String clientId = snapshot.clientId();
    if (node.sessions().get(clientId) != null) {
      return Future.succeededFuture(false);
    }
    Session s = new Session(clientId, node, context, node.settings().get(BrokerSettings.MAX_INFLIGHT),
        node.settings().get(BrokerSettings.MAX_QUEUED_MESSAGES));
    node.sessions().claim(clientId, false, () -> s);
    // Waited for: a client held while its session is recovered claims it anew once told, and must find this node.
    Future<Void> recorded = clients.record(clientId);
    Promise<Void> stored = Promise.promise();
    s.execute(() -> s.adopt(snapshot, dedupeMillis).onComplete(ar -> stored.complete()));
    return Future.join(recorded, stored.future()).map(true);
  }
}
