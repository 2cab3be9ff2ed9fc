package io.meshmq.core.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Inbound QoS 2 de-duplication: packet ids of messages already routed, held from PUBLISH until PUBREL. A
 * re-sent PUBLISH (DUP) with a held id is acknowledged again but not routed again. Not thread-safe.
 */
public final class InboundQos2 {

  /** Allocated on first QoS 2 PUBLISH: most sessions never hold one. */
  private Set<Integer> awaitingRelease;

  /** Records a QoS 2 PUBLISH; true when it is new and must be routed, false for a duplicate. */
  public boolean firstSeen(int packetId) {
    if (awaitingRelease == null) {
      awaitingRelease = new LinkedHashSet<>();
    }
    return awaitingRelease.add(packetId);
  }

  /** PUBREL: forgets the id; true if it was held. */
  public boolean release(int packetId) {
    return awaitingRelease != null && awaitingRelease.remove(packetId);
  }

  public boolean isHeld(int packetId) {
    return awaitingRelease != null && awaitingRelease.contains(packetId);
  }

  public int size() {
    return awaitingRelease == null ? 0 : awaitingRelease.size();
  }

  public Set<Integer> ids() {
    return awaitingRelease == null ? Set.of() : Set.copyOf(awaitingRelease);
  }

  public void restore(Set<Integer> ids) {
    for (int id : ids) {
      firstSeen(id);
    }
  }

  public void clear() {
    awaitingRelease = null;
  }
}
