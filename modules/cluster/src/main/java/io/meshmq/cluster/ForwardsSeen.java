package io.meshmq.cluster;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The forwards this node has routed, or is routing, by forward id, kept for a while: a copy of a forward sent
 * again (its first answer was late) is answered when the first is routed, instead of being routed a second time.
 * Two generations rotated every {@code retentionMillis}: an id is kept at least that long after it came, and as
 * long as its routing is under way. Confined to the inbox's context.
 */
final class ForwardsSeen {

  private final long retentionMillis;
  private final LongSupplier clock;
  private Map<Long, Future<Boolean>> current = new HashMap<>();
  private Map<Long, Future<Boolean>> previous = new HashMap<>();
  private long rotatedAt;

  ForwardsSeen(long retentionMillis, LongSupplier clock) {
    this.retentionMillis = retentionMillis;
    this.clock = clock;
    this.rotatedAt = clock.getAsLong();
  }

  /** The routing of an earlier copy (its value: whether it was safe), or null when this id is new. */
  Future<Boolean> seen(long forwardId) {
    Future<Boolean> f = current.get(forwardId);
    return f != null ? f : previous.get(forwardId);
  }

  void routing(long forwardId, Future<Boolean> routed) {
    long now = clock.getAsLong();
    if (now - rotatedAt >= retentionMillis) {
      rotatedAt = now;
      // What is still being routed stays: a copy of it may yet come.
      previous.forEach((id, f) -> {
        if (!f.isComplete()) {
          current.putIfAbsent(id, f);
        }
      });
      previous = current;
      current = new HashMap<>();
    }
    current.put(forwardId, routed);
  }

  int size() {
    return current.size() + previous.size();
  }
}
