package io.meshmq.broker.session;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Ids of the messages a session already has, kept for a while after it arrived from another node: for that long a
 * message can reach it both directly and through the node it came from, and the second copy is dropped. Bounded:
 * the oldest ids go first. Owner context only.
 */
final class RecentMessageIds {

  private final int max;
  private final LinkedHashSet<Long> ids = new LinkedHashSet<>();

  RecentMessageIds(int max) {
    this.max = max;
  }

  /** Records the id; false if it was there already. */
  boolean firstTime(long id) {
    if (!ids.add(id)) {
      return false;
    }
    if (ids.size() > max) {
      Iterator<Long> oldest = ids.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }
}
