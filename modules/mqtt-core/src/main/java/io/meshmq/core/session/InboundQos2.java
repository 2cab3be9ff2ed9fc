package io.meshmq.core.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Inbound QoS 2 de-duplication: packet ids of messages already routed, held from PUBLISH until PUBREL. A
 * re-sent PUBLISH (DUP) with a held id is acknowledged again but not routed again. Not thread-safe.
 */
public final class InboundQos2 {

  private final Set<Integer> awaitingRelease = new LinkedHashSet<>();

  /** Records a QoS 2 PUBLISH; true when it is new and must be routed, false for a duplicate. */
  public boolean firstSeen(int packetId) {
    return awaitingRelease.add(packetId);
  }

  /** PUBREL: forgets the id; true if it was held. */
  public boolean release(int packetId) {
    return awaitingRelease.remove(packetId);
  }

  public boolean isHeld(int packetId) {
    return awaitingRelease.contains(packetId);
  }

  public int size() {
    return awaitingRelease.size();
  }

  public Set<Integer> ids() {
    return Set.copyOf(awaitingRelease);
  }

  public void restore(Set<Integer> ids) {
    awaitingRelease.addAll(ids);
  }

  public void clear() {
    awaitingRelease.clear();
  }
}
