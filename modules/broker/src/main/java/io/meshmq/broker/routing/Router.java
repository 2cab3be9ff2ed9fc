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
import java.util.concurrent.atomic.AtomicInteger;
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
  /** Round-robin position per shared group, across the nodes that have members of it. */
  private final Map<Delivery.ShareRef, AtomicInteger> groupCursors = new java.util.concurrent.ConcurrentHashMap<>();

  public Router(SubscriptionTable table, RetainedStore retained, SharedStrategy sharedStrategy, boolean retainAvailable,
                ClusterLink cluster) {
    this.table = table;
    this.retained = retained;
    this.sharedStrategy = sharedStrategy;
    this.retainAvailable = retainAvailable;
    this.cluster = cluster;
  }

  /** What runs once a message is routed. */
  @FunctionalInterface
  public interface Routed {
    /**
     * @param safe whether every target has the message safe: false when a persistent session could not put it on
     *     record (the node lost its cluster), and the publisher must then not be told it was delivered
     */
    void routed(boolean safe);
  }

  /**
   * Routes a message published on this node: retained store, local sessions, one member of every matching
   * shared group cluster-wide, and the other nodes of the cluster. {@code onRouted} runs on the calling context
   * once all of them have taken it. Returns the number of local target sessions.
   */
  public int route(Message message, Routed onRouted) {
    RouteCompletion completion = new RouteCompletion(Vertx.currentContext(), onRouted);
    List<Subscription> localShared = new ArrayList<>(0);
    Map<String, List<Delivery.ShareRef>> remoteShared = chooseSharedTargets(message.topic(), localShared);
    completion.add();
    cluster.forward(message, remoteShared, safe -> {
      if (!safe) {
        completion.unsafe();
      }
      completion.done();
    });
    storeRetained(message, completion);
    // Published here: a subscriber whose queue is full holds the publisher back (see Session.deliver).
    int sessions = routeDirect(message, completion, ALL, true) + deliverShared(message, localShared, completion, true);
    completion.done(); // the count started at one, so that nothing completed before every target was counted
    return sessions;
  }

  /**
   * Routes a message another node forwarded: local ordinary subscriptions, plus one member of each shared
   * group that node chose this node for (that node did the rest).
   */
  public int routeLocal(Message message, List<Delivery.ShareRef> sharedHere, Routed onRouted) {
    RouteCompletion completion = new RouteCompletion(Vertx.currentContext(), onRouted);
    List<Subscription> members = new ArrayList<>(sharedHere.size());
    for (Delivery.ShareRef ref : sharedHere) {
      SharedGroup group = table.sharedGroup(ref.filter(), ref.group());
      Subscription member = group == null ? null : group.pick(sharedStrategy, null, message.topic());
      if (member != null) {
        members.add(member);
      } else {
        log.debug("Shared group {} on {} has no member here any more; message {} not delivered to it", ref.group(),
            ref.filter(), message);
      }
    }
    // Forwarded by another node, whose publisher waits for this node's answer: a full queue holds it back too.
    int sessions = routeDirect(message, completion, ALL, true) + deliverShared(message, members, completion, true);
    completion.done();
    return sessions;
  }

  /**
   * Delivers a message to these clients' sessions only (sessions recovered from a node that died, which missed
   * what was published while they were being recovered); {@code onRouted} runs once they have it.
   */
  public int routeToClients(Message message, java.util.Set<String> clientIds, Routed onRouted) {
    RouteCompletion completion = new RouteCompletion(Vertx.currentContext(), onRouted);
    int sessions = routeDirect(message, completion, sub -> clientIds.contains(sub.clientId()), false);
    completion.done();
    return sessions;
  }

  /** Forwarded message without shared-group duties. */
  public int routeLocal(Message message, Routed onRouted) {
    return routeLocal(message, List.of(), onRouted);
  }

  /**
   * For every shared group whose filter matches, picks the node that delivers (one per group cluster-wide):
   * local picks are added to {@code localMembers}; the others come back as share references per node.
   */
  private Map<String, List<Delivery.ShareRef>> chooseSharedTargets(String topic, List<Subscription> localMembers) {
    SharedMatches matches = new SharedMatches();
    table.matchShared(topic, matches);
    cluster.matchRemoteShared(topic, matches);
    Map<Delivery.ShareRef, SharedCandidates> candidates = matches.candidates;
    if (candidates == null) {
      return Map.of();
    }
    Map<String, List<Delivery.ShareRef>> byNode = new HashMap<>(0);
    for (Map.Entry<Delivery.ShareRef, SharedCandidates> e : candidates.entrySet()) {
      SharedCandidates c = e.getValue();
      boolean localUsable = c.local != null && !c.local.isEmpty();
      int choices = (localUsable ? 1 : 0) + c.remote.size();
      if (choices == 0) {
        continue;
      }
      int pick;
      if (localUsable && (c.remote.isEmpty() || (sharedStrategy == SharedStrategy.PREFER_LOCAL && c.local.hasOnlineMember()))) {
        pick = 0;
      } else if (sharedStrategy == SharedStrategy.RANDOM) {
        pick = java.util.concurrent.ThreadLocalRandom.current().nextInt(choices);
      } else {
        pick = Math.floorMod(groupCursors.computeIfAbsent(e.getKey(), k -> new AtomicInteger()).getAndIncrement(), choices);
      }
      if (localUsable && pick == 0) {
        Subscription member = c.local.pick(sharedStrategy, null, topic);
        if (member != null) {
          localMembers.add(member);
        }
      } else {
        String node = c.remote.get(localUsable ? pick - 1 : pick);
        byNode.computeIfAbsent(node, n -> new ArrayList<>(1)).add(e.getKey());
      }
    }
    return byNode;
  }

  /** The shared groups matching a topic, here and on other nodes (the map is made on the first match). */
  private static final class SharedMatches implements java.util.function.Consumer<SharedGroup>, ClusterLink.RemoteSharedVisitor {
    private Map<Delivery.ShareRef, SharedCandidates> candidates;

    private SharedCandidates of(String group, String filter) {
      if (candidates == null) {
        candidates = new HashMap<>(4);
      }
      return candidates.computeIfAbsent(new Delivery.ShareRef(group, filter), k -> new SharedCandidates());
    }

    @Override
    public void accept(SharedGroup g) {
      of(g.group, g.filter).local = g;
    }

    @Override
    public void visit(String group, String filter, String node) {
      of(group, filter).remote.add(node);
    }
  }

  /** The nodes that can deliver for one shared group: this one (if it has members) and the others. */
  private static final class SharedCandidates {
    SharedGroup local;
    final List<String> remote = new ArrayList<>(2);
  }

  private void storeRetained(Message message, RouteCompletion completion) {
    if (message.retain() && retainAvailable) {
      completion.add();
      retained.put(message).onComplete(ar -> {
        if (ar.failed()) {
          log.warn("Retained store update for {} failed: {}", message.topic(), ar.cause().toString());
        }
        completion.done();
      });
    }
  }

  private static final java.util.function.Predicate<Subscription> ALL = sub -> true;

  /** Ordinary subscriptions matching the topic and {@code which}: one merged delivery per session. */
  private int routeDirect(Message message, RouteCompletion completion, java.util.function.Predicate<Subscription> which,
                          boolean publisherWaits) {
    Targets targets = new Targets(message, which);
    table.matchDirect(message.topic(), targets);
    for (int i = 0; i < targets.size; i++) {
      dispatch(targets.targets[i].session, targets.targets[i].delivery(message), completion, publisherWaits);
    }
    return targets.size;
  }

  /**
   * The sessions a message goes to, each with its overlapping subscriptions merged. Most messages reach one or
   * a few sessions, found by a scan; an index by session is built only past a handful.
   */
  private static final class Targets implements java.util.function.Consumer<Subscription> {
    private static final int SCAN_LIMIT = 8;

    private final Message message;
    private final java.util.function.Predicate<Subscription> which;
    private Target[] targets = new Target[2];
    private int size;
    private Map<Session, Target> index;

    Targets(Message message, java.util.function.Predicate<Subscription> which) {
      this.message = message;
      this.which = which;
    }

    @Override
    public void accept(Subscription sub) {
      if (!which.test(sub) || (sub.noLocal() && sub.clientId().equals(message.publisherId()))
          || (sub.gate() != null && !sub.gate().admits(message.topic()))) {
        return;
      }
      Session session = sub.session();
      Target t = find(session);
      if (t == null) {
        t = new Target(session);
        if (size == targets.length) {
          targets = java.util.Arrays.copyOf(targets, size * 2);
        }
        targets[size++] = t;
        if (index != null) {
          index.put(session, t);
        }
      }
      t.add(sub);
    }

    private Target find(Session session) {
      if (index != null) {
        return index.get(session);
      }
      for (int i = 0; i < size; i++) {
        if (targets[i].session == session) {
          return targets[i];
        }
      }
      if (size >= SCAN_LIMIT) {
        index = new java.util.IdentityHashMap<>(size * 4);
        for (int i = 0; i < size; i++) {
          index.put(targets[i].session, targets[i]);
        }
      }
      return null;
    }
  }

  private int deliverShared(Message message, List<Subscription> members, RouteCompletion completion, boolean publisherWaits) {
    for (Subscription member : members) {
      dispatch(member.session(), sharedDelivery(message, member), completion, publisherWaits);
    }
    return members.size();
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
    Subscription member = group == null ? null : group.pick(sharedStrategy, leaving, d.message().topic());
    if (member == null || member.session() == leaving || !member.session().isOnline()) {
      // No online member here: one on another node takes it, if the group has members elsewhere.
      if (cluster.redeliverShared(d.message(), d.share())) {
        return true;
      }
    }
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

  private static void dispatch(Session session, Delivery d, RouteCompletion completion, boolean publisherWaits) {
    completion.add();
    session.execute(() -> {
      io.vertx.core.Future<Void> stored = null;
      try {
        stored = session.deliver(d, publisherWaits);
      } finally {
        if (stored == null) {
          completion.done();
        } else {
          // A persistent session's QoS 1/2 message: acknowledged to the publisher once stored with its backup; a
          // message waiting for room in a full queue: once it is in the queue.
          stored.onComplete(ar -> {
            if (ar.failed()) {
              completion.unsafe();
            }
            completion.done();
          });
        }
      }
    });
  }

  /** The overlapping subscriptions of one session, merged: highest QoS, every subscription identifier. */
  private static final class Target {
    private final Session session;
    private int qos = -1;
    private boolean retainAsPublished;
    private int[] ids;
    private int idCount;

    Target(Session session) {
      this.session = session;
    }

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
