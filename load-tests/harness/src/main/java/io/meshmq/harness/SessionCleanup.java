package io.meshmq.harness;

import io.netty.channel.EventLoopGroup;
import java.util.List;

/**
 * Ends a run's persistent sessions, so that a broker does not pile them up run after run (each with whatever was
 * still queued for it, which would slow every later run down): each subscriber's client id reconnects once with
 * clean session 1 and disconnects. In MQTT 3.1.1 a clean-session CONNECT discards the previous session, and the
 * new one ends with its connection (3.1.2.4). Each reconnects to the port its subscriber used, the node that holds
 * the session, so that a cluster does not also have to move it first.
 */
final class SessionCleanup {

  private SessionCleanup() {
  }

  /**
   * @param subscribers disconnected persistent subscribers
   * @return how many sessions were ended (a CONNACK accepted the clean session and the connection closed)
   */
  static int clean(EventLoopGroup group, String host, List<BenchClient> subscribers, int batchSize,
      double connectsPerSecond, long batchTimeoutNanos) throws InterruptedException {
    return Batched.run(subscribers.size(), batchSize, connectsPerSecond, batchTimeoutNanos, i -> {
      BenchClient s = subscribers.get(i);
      return BenchClient.connect(group, host, s.port(), s.clientId(), true, null).thenCompose(BenchClient::disconnect);
    }).succeeded().size();
  }
}
