package io.meshmq.cluster;

import io.meshmq.broker.config.Settings;
import java.util.concurrent.TimeUnit;

/**
 * The time limits of moving a session between nodes, in one place (hand-over to the node a client reconnected to,
 * re-homing when a node stops), from the settings.
 *
 * @param graceMillis        after the new node has the session, how long the old one passes on what still arrives
 * @param readyTimeoutMillis how long the old node waits for the new one to confirm it installed a handed-over session
 * @param dedupeMillis       how long a moved session drops messages it already has (they can come both ways)
 * @param rehomeMillis       how long a stopping node waits for a node to adopt one of its sessions
 */
record Mobility(long graceMillis, long readyTimeoutMillis, long dedupeMillis, long rehomeMillis) {

  static Mobility of(Settings s) {
    return new Mobility(TimeUnit.SECONDS.toMillis(s.get(ClusterSettings.HANDOVER_GRACE_SECONDS)),
        TimeUnit.SECONDS.toMillis(s.get(ClusterSettings.HANDOVER_READY_TIMEOUT_SECONDS)),
        TimeUnit.SECONDS.toMillis(s.get(ClusterSettings.HANDOVER_DEDUPE_SECONDS)),
        TimeUnit.SECONDS.toMillis(s.get(ClusterSettings.REHOME_TIMEOUT_SECONDS)));
  }

  /** A re-homed session's new node confirms as part of adopting it: waiting longer than the adoption is pointless. */
  long rehomeReadyMillis() {
    return rehomeMillis + graceMillis;
  }
}
