package io.meshmq.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.server.ServerConnection;
import io.vertx.core.Vertx;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes member connections that a process outside the cluster accepted but never answered: a frozen process (a
 * stopped JVM, a suspended VM) still accepts TCP connections through its kernel, and Hazelcast 5.6 connects to a member
 * it just declared dead (to tell it so, and to look for it when checking for a split brain). An outbound pipeline that
 * waits for that peer's protocol answer can keep one of Hazelcast's few IO threads busy for as long as the connection
 * lasts (hazelcast/hazelcast#26473), and every other connection on that thread starves: measured here, a survivor's
 * heartbeats to the other survivor stopped for over 10 s, the two declared each other dead, and sessions were recovered
 * on the wrong side of that split. No Hazelcast setting bounds the handshake, so this does: a connection to an address
 * that is no member, still without a handshake at two consecutive sweeps a second apart, is closed.
 *
 * <p>A live process answers the protocol within milliseconds, so a joining or merging member is never touched.
 * Sweeps run on a worker thread (Hazelcast's connection registry is not for event loops).
 */
final class StalledHandshakeReaper {

  private static final Logger log = LoggerFactory.getLogger(StalledHandshakeReaper.class);
  static final long SWEEP_MILLIS = 1_000;

  private final Vertx vertx;
  private final HazelcastInstance hz;
  final LongAdder closed = new LongAdder();
  /** Connections without a handshake seen at the last sweep (identity: the connection objects themselves). */
  private Set<ServerConnection> suspects = Collections.newSetFromMap(new IdentityHashMap<>());
  private long timer = -1;

  StalledHandshakeReaper(Vertx vertx, HazelcastInstance hz) {
    this.vertx = vertx;
    this.hz = hz;
  }

  void start() {
    timer = vertx.setPeriodic(SWEEP_MILLIS, id -> vertx.executeBlocking(() -> {
      sweep();
      return null;
    }, false));
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** One sweep; synchronized because a slow sweep may overlap the next one. */
  synchronized void sweep() {
    if (!(hz instanceof HazelcastInstanceProxy proxy) || !hz.getLifecycleService().isRunning()) {
      return;
    }
    Set<Address> members = new HashSet<>();
    for (Member m : hz.getCluster().getMembers()) {
      members.add(m.getAddress());
    }
    Set<ServerConnection> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ServerConnection c : proxy.getOriginal().node.getServer().getConnectionManager(EndpointQualifier.MEMBER)
        .getConnections()) {
      Address remote = c.getRemoteAddress();
      if (remote == null || c.getRemoteUuid() != null || !c.isAlive() || members.contains(remote)) {
        continue;
      }
      if (suspects.contains(c)) {
        closed.increment();
        log.warn("Closing the cluster connection to {}: no member, and no protocol answer for over {} ms (a frozen "
            + "process accepts connections it never serves)", remote, SWEEP_MILLIS);
        c.close("no protocol answer from a non-member for over " + SWEEP_MILLIS + " ms", null);
      } else {
        seen.add(c);
      }
    }
    suspects = seen;
  }
}
