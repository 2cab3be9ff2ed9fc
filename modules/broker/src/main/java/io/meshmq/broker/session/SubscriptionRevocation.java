package io.meshmq.broker.session;

import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.auth.SubscribeGrant;
import io.meshmq.broker.sys.BrokerStats;
import java.util.ArrayList;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds granted subscriptions to the authorizer's current rules: after the rules change (an ACL reload), and when a
 * session is resumed (its client may come back under another username, or the rules changed while it was away),
 * every subscription the rules no longer allow is removed, as if the client had unsubscribed: it stops receiving at
 * once and its route goes when it was the last. Messages it had already brought into the session's queue stay (they
 * were routed while the rules allowed them). A subscription the rules still allow gets the grant they give now:
 * narrowed (a deny rule now reaches under its filter: a gate checks each message) or whole again (the gate goes,
 * and with it the per-message check). Each node re-checks its own sessions against its own rules.
 */
public final class SubscriptionRevocation {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionRevocation.class);

  private final Authorizer authorizer;
  private final BrokerStats stats;

  public SubscriptionRevocation(Authorizer authorizer, BrokerStats stats) {
    this.authorizer = authorizer;
    this.stats = stats;
  }

  /** Re-checks every session's subscriptions (any thread; each session is checked on its own context). */
  public void recheckAll(Collection<Session> sessions) {
    for (Session s : sessions) {
      s.execute(() -> recheck(s));
    }
  }

  /**
   * Re-checks one session's subscriptions against the identity of its last client; on the session's context. A
   * session that has never had a client on this node (rebuilt from another one) is checked when its client returns.
   */
  public void recheck(Session session) {
    ClientIdentity identity = session.identity();
    if (identity == null || session.hasEnded() || session.subscriptionCount() == 0) {
      return;
    }
    for (Subscription sub : new ArrayList<>(session.subscriptions())) {
      authorizer.grantSubscribe(identity, sub.fullFilter()).otherwise(SubscribeGrant.REFUSED)
          .onComplete(ar -> session.execute(() -> apply(session, sub, ar.result())));
    }
  }

  private void apply(Session session, Subscription sub, SubscribeGrant grant) {
    // Unless a newer SUBSCRIBE replaced it meanwhile (that one was checked against the rules in force).
    if (session.subscription(sub.fullFilter()) != sub || session.hasEnded()) {
      return;
    }
    if (grant == null || !grant.granted()) {
      session.unsubscribe(sub.fullFilter());
      stats.subscriptionsRevoked.increment();
      log.info("Client {}: subscription to '{}' removed, the authorization rules no longer allow it",
          session.clientId(), sub.fullFilter());
    } else if (grant.isNarrowed() || sub.gate() != null) {
      // The new grant's gate, or none: a gate is bound to the user it was granted to, and a resumed session may have
      // another. Replaced in place (same table key, so the route stays); no retained messages are sent again.
      session.subscribe(sub.withGate(grant.gate()));
      if (grant.isNarrowed() != (sub.gate() != null)) {
        log.info("Client {}: subscription to '{}' {} by the authorization rules now in force", session.clientId(),
            sub.fullFilter(), grant.isNarrowed() ? "narrowed (denied topics withheld)" : "no longer narrowed");
      }
    }
  }
}
