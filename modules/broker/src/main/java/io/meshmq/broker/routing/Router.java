package io.meshmq.broker.routing;

import io.meshmq.broker.config.BrokerSettings.SharedStrategy;
import io.meshmq.broker.retained.RetainedStore;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.Subscription;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a published message on this node: retained store first, then every matching local session (one
 * copy per session at the highest granted QoS, with all matching subscription identifiers) and one member
 * per matching shared group. The publisher's continuation runs once every target session has the message.
 */
public final class Router {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final SubscriptionTable table;
  private final RetainedStore retained;
  private final SharedStrategy sharedStrategy;
  private final boolean retainAvailable;
  private final ClusterLink cluster;

  public Router(SubscriptionTable table, RetainedStore retained, SharedStrategy sharedStrategy, boolean retainAvailable,
                ClusterLink cluster) {
    this.table = table;
    this.retained = retained;
    this.sharedStrategy = sharedStrategy;
    this.retainAvailable = retainAvailable;
    this.cluster = cluster;
  }

  /**
   * Routes a message published on this node: retained store, local sessions and the other nodes of the
   * cluster. {@code onRouted} runs on the calling context once all of them have taken it. Returns the number
   * of local target sessions.
   */
  public int route(Message message, Runnable onRouted) {
    RouteCompletion completion = new RouteCompletion(Vertx.currentContext(), onRouted);
    completion.add();
    cluster.forward(message, completion::done);
    return routeHere(message, completion, true);
  }

  /** Routes a message another node forwarded: local sessions only (that node did the rest). */
  public int routeLocal(Message message, Runnable onRouted) {
    return routeHere(message, new RouteCompletion(Vertx.currentContext(), onRouted), false);
  }

  private int routeHere(Message message, RouteCompletion completion, boolean storeRetained) {
    if (storeRetained && message.retain() && retainAvailable) {
      completion.add();
      retained.put(message).onComplete(ar -> {
        if (ar.failed()) {
          log.warn("Retained store update for {} failed: {}", message.topic(), ar.cause().toString());
        }
        completion.done();
      });
    }
    Map<Session, Target> targets = new HashMap<>();
    table.matchDirect(message.topic(), sub -> {
      if (sub.noLocal() && sub.clientId().equals(message.publisherId())) {
        return;
      }
      targets.computeIfAbsent(sub.session(), s -> new Target()).add(sub);
    });
    List<Subscription> sharedPicks = new ArrayList<>(0);
    table.matchShared(message.topic(), group -> {
      Subscription member = group.pick(sharedStrategy, null);
      if (member != null) {
        sharedPicks.add(member);
      }
    });
    for (Map.Entry<Session, Target> e : targets.entrySet()) {
      dispatch(e.getKey(), e.getValue().delivery(message), completion);
    }
    for (Subscription member : sharedPicks) {
      dispatch(member.session(), sharedDelivery(message, member), completion);
    }
    completion.done();
    return targets.size() + sharedPicks.size();
  }

  /** Publishes a will (or any broker-made message) without waiting for anyone. */
  public void publishWill(Message message) {
    route(message, null);
  }

  /**
   * Gives a message that reached a leaving shared-group member to another member of the same group. Returns
   * false when there is no other member (the caller then keeps it).
   */
  public boolean redeliverShared(Delivery d, Session leaving) {
    SharedGroup group = table.sharedGroup(d.share().filter(), d.share().group());
    if (group == null) {
      return false;
    }
    Subscription member = group.pick(sharedStrategy, leaving);
    if (member == null || member.session() == leaving) {
      return false;
    }
    Delivery moved = sharedDelivery(d.message(), member);
    member.session().execute(() -> member.session().deliver(moved));
    return true;
  }

  private static Delivery sharedDelivery(Message message, Subscription member) {
    int[] ids = member.subscriptionId() > 0 ? new int[] {member.subscriptionId()} : Delivery.noSubscriptionIds();
    return new Delivery(message, Math.min(message.qos(), member.qos()), member.retainAsPublished() && message.retain(),
        ids, new Delivery.ShareRef(member.shareGroup(), member.filter()));
  }

  private static void dispatch(Session session, Delivery d, RouteCompletion completion) {
    completion.add();
    session.execute(() -> {
      try {
        session.deliver(d);
      } finally {
        completion.done();
      }
    });
  }

  /** The overlapping subscriptions of one session, merged: highest QoS, every subscription identifier. */
  private static final class Target {
    private int qos = -1;
    private boolean retainAsPublished;
    private int[] ids;
    private int idCount;

    void add(Subscription s) {
      qos = Math.max(qos, s.qos());
      retainAsPublished |= s.retainAsPublished();
      if (s.subscriptionId() > 0) {
        if (ids == null) {
          ids = new int[2];
        } else if (idCount == ids.length) {
          ids = java.util.Arrays.copyOf(ids, idCount * 2);
        }
        ids[idCount++] = s.subscriptionId();
      }
    }

    Delivery delivery(Message m) {
      int[] subIds = ids == null ? Delivery.noSubscriptionIds() : java.util.Arrays.copyOf(ids, idCount);
      return new Delivery(m, Math.min(m.qos(), qos), retainAsPublished && m.retain(), subIds, null);
    }
  }
}
