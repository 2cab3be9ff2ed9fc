package io.meshmq.broker.session;

import io.meshmq.core.message.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A session handed to another node, as long as this node still gets messages for it (other nodes learn its new
 * route only a little later): what arrives is held until the new node has the session installed, then passed on
 * to it, with what still comes, for a grace period. Holds at most {@code maxHeld} messages. Owner context only.
 */
final class MovedAway {

  private final Consumer<Delivery> forwardTo;
  private final int maxHeld;
  /** What arrived before the new node was ready; null once it is. */
  private List<Delivery> held = new ArrayList<>();

  MovedAway(Consumer<Delivery> forwardTo, int maxHeld) {
    this.forwardTo = forwardTo;
    this.maxHeld = maxHeld;
  }

  /** A message for the session arrived here; false when it had to be dropped (held at the bound). */
  boolean arrived(Delivery d) {
    if (held == null) {
      forwardTo.accept(d);
      return true;
    }
    if (held.size() >= maxHeld) {
      return false;
    }
    held.add(d);
    return true;
  }

  /** The new node has the session: what was held goes on to it, and so will what still arrives. */
  void newHomeReady() {
    if (held != null) {
      List<Delivery> ready = held;
      held = null;
      ready.forEach(forwardTo);
    }
  }

  boolean isReady() {
    return held == null;
  }

  /** Messages held for a new node that never got ready (they are dropped with the session). */
  int heldCount() {
    return held == null ? 0 : held.size();
  }
}
