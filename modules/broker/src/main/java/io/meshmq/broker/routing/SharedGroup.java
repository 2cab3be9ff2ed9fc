package io.meshmq.broker.routing;

import io.meshmq.broker.config.BrokerSettings.SharedStrategy;
import io.meshmq.broker.session.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription group on one filter. Reads (picking a member for each message) are
 * lock-free over an immutable snapshot; membership changes are rare and synchronized.
 */
final class SharedGroup {

  private static final Subscription[] NONE = new Subscription[0];

  final String group;
  final String filter;
  private volatile Subscription[] members = NONE;
  private final AtomicInteger cursor = new AtomicInteger();

  SharedGroup(String group, String filter) {
    this.group = group;
    this.filter = filter;
  }

  /** Adds or replaces the session's membership; returns the membership it replaced, or null. */
  synchronized Subscription put(Subscription s) {
    List<Subscription> list = new ArrayList<>(List.of(members));
    Subscription previous = null;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).session() == s.session()) {
        previous = list.set(i, s);
        break;
      }
    }
    if (previous == null) {
      list.add(s);
    }
    members = list.toArray(NONE);
    return previous;
  }

  synchronized boolean remove(Subscription s) {
    List<Subscription> list = new ArrayList<>(List.of(members));
    boolean removed = list.removeIf(m -> m.session() == s.session());
    members = list.toArray(NONE);
    return removed;
  }

  boolean isEmpty() {
    return members.length == 0;
  }

  int size() {
    return members.length;
  }

  boolean hasOnlineMember() {
    for (Subscription s : members) {
      if (s.session().isOnline()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The member that gets the next message, on {@code topic}: online members first (a persistent member that is
   * offline only gets messages when no member is online); {@code exclude} is skipped when another candidate exists;
   * a member whose grant is narrowed away from the topic (see Subscription#gate) never gets it.
   */
  Subscription pick(SharedStrategy strategy, Object exclude, String topic) {
    Subscription[] snapshot = members;
    int n = snapshot.length;
    if (n == 0) {
      return null;
    }
    int start = switch (strategy) {
      case ROUND_ROBIN, PREFER_LOCAL -> Math.floorMod(cursor.getAndIncrement(), n);
      case RANDOM -> ThreadLocalRandom.current().nextInt(n);
      case STICKY -> Math.floorMod(cursor.get(), n);
    };
    Subscription fallback = null;
    for (int i = 0; i < n; i++) {
      Subscription s = snapshot[(start + i) % n];
      if (s.session() == exclude) {
        continue;
      }
      if (s.gate() != null && !s.gate().admits(topic)) {
        continue;
      }
      if (s.session().isOnline()) {
        if (strategy == SharedStrategy.STICKY && i != 0) {
          cursor.set((start + i) % n);
        }
        return s;
      }
      if (fallback == null) {
        fallback = s;
      }
    }
    return fallback;
  }
}
