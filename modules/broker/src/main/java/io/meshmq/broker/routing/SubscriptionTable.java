package io.meshmq.broker.routing;

import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.Subscription;
import io.meshmq.core.topic.TopicTrie;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's subscriptions: filter -> local sessions. Ordinary subscriptions are keyed by session; shared
 * ones by group, each group holding its members. Safe for concurrent matching from every event loop.
 */
public final class SubscriptionTable {

  private final TopicTrie<Session, Subscription> direct = new TopicTrie<>();
  private final TopicTrie<String, SharedGroup> shared = new TopicTrie<>();
  private final AtomicInteger count = new AtomicInteger();
  /** Local subscribers per route key (see {@link #routeKey}), guarded by {@link #lock}. */
  private final Map<String, Integer> subscribersPerFilter = new HashMap<>();
  private final Object lock = new Object();
  private static final Future<Void> ROUTED = Future.succeededFuture();
  private final FilterListener filterListener;

  /** Told when a filter gains its first or loses its last local subscriber (the cluster route table hook). */
  public interface FilterListener {
    /** The future completes once the route is recorded where other nodes will find it. */
    Future<Void> firstSubscriber(String filter);

    void lastSubscriberGone(String filter);

    FilterListener NONE = new FilterListener() {
      @Override
      public Future<Void> firstSubscriber(String filter) {
        return Future.succeededFuture();
      }

      @Override
      public void lastSubscriberGone(String filter) {
      }
    };
  }

  /** What {@link #put} did: the subscription it replaced (or null) and when the route is recorded. */
  public record Added(Subscription previous, Future<Void> routed) {
  }

  public SubscriptionTable(FilterListener filterListener) {
    this.filterListener = filterListener;
  }

  /** Adds or replaces the session's subscription on that filter. */
  public Added put(Subscription s) {
    Subscription previous;
    Future<Void> routed = ROUTED;
    synchronized (lock) {
      if (s.isShared()) {
        SharedGroup g = shared.get(s.filter(), s.shareGroup());
        if (g == null) {
          g = new SharedGroup(s.shareGroup(), s.filter());
          shared.put(s.filter(), s.shareGroup(), g);
        }
        previous = g.put(s);
      } else {
        previous = direct.put(s.filter(), s.session(), s);
      }
      if (previous == null && subscribersPerFilter.merge(routeKey(s), 1, Integer::sum) == 1) {
        routed = filterListener.firstSubscriber(routeKey(s));
      }
    }
    if (previous == null) {
      count.incrementAndGet();
    }
    return new Added(previous, routed);
  }

  public boolean remove(Subscription s) {
    boolean removed;
    synchronized (lock) {
      if (s.isShared()) {
        SharedGroup g = shared.get(s.filter(), s.shareGroup());
        removed = g != null && g.remove(s);
        if (g != null && g.isEmpty()) {
          shared.remove(s.filter(), s.shareGroup());
        }
      } else {
        removed = direct.remove(s.filter(), s.session()) != null;
      }
      if (removed && subscribersPerFilter.merge(routeKey(s), -1, Integer::sum) == 0) {
        subscribersPerFilter.remove(routeKey(s));
        filterListener.lastSubscriberGone(routeKey(s));
      }
    }
    if (removed) {
      count.decrementAndGet();
    }
    return removed;
  }

  /**
   * What the cluster route table records for a subscription: the filter for an ordinary one, the full
   * {@code $share/group/filter} for a shared one (the cluster chooses one node per group, so it must know the
   * nodes of each group).
   */
  static String routeKey(Subscription s) {
    return s.isShared() ? s.fullFilter() : s.filter();
  }

  /** Visits every ordinary subscription matching the topic (a session may be visited once per matching filter). */
  public void matchDirect(String topicName, Consumer<Subscription> visitor) {
    direct.match(topicName, visitor);
  }

  /** Visits every shared group whose filter matches the topic. */
  void matchShared(String topicName, Consumer<SharedGroup> visitor) {
    shared.match(topicName, visitor);
  }

  /** The shared group of that filter, or null. */
  SharedGroup sharedGroup(String filter, String group) {
    return shared.get(filter, group);
  }

  public int size() {
    return count.get();
  }

  /** The route keys (filters, and {@code $share/group/filter}) with at least one local subscriber, sorted. */
  public java.util.List<String> routeKeys() {
    synchronized (lock) {
      java.util.List<String> keys = new java.util.ArrayList<>(subscribersPerFilter.keySet());
      keys.sort(null);
      return keys;
    }
  }

  /** Distinct route keys (filters, and shared groups with their filter) with at least one local subscriber. */
  public int filterCount() {
    synchronized (lock) {
      return subscribersPerFilter.size();
    }
  }
}
