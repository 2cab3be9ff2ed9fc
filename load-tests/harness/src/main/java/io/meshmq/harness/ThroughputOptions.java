package io.meshmq.harness;

import picocli.CommandLine.Option;

/** How a throughput scenario's publishers send and how its subscribers hold their sessions: fan-in's and fan-out's. */
final class ThroughputOptions {

  @Option(names = "--qos", description = "QoS of the publishes and the subscriptions, 0-2 (default: ${DEFAULT-VALUE})")
  int qos = 1;

  @Option(names = "--window", description = "Unacknowledged QoS 1/2 messages per publisher; with --rate a publisher "
      + "whose window is full waits, and its messages are late (default: ${DEFAULT-VALUE})")
  int window = 32;

  @Option(names = "--rate", description = "Messages per second over all publishers, spread evenly (each sends rate / "
      + "publishers, staggered); 0 = each as fast as its window allows (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--persistent", description = "Subscribers connect with clean session 0 under client ids "
      + "<run>-sub-<i>; at the end they disconnect and their sessions are ended by one clean-session reconnect each")
  boolean persistent;

  @Option(names = "--keep-sessions", description = "With --persistent: leave the sessions on the broker instead; "
      + "the JSON line gives their client id prefix")
  boolean keepSessions;

  @Option(names = "--warmup-seconds", description = "PUBACK waits of messages written in this first part of the run "
      + "are not timed (the messages still count for loss): the figures are of the steady state, not of the JIT and "
      + "the first writes (default: ${DEFAULT-VALUE})")
  int warmupSeconds = 2;

  boolean paced() {
    return rate > 0;
  }

  void validate() {
    if (qos < 0 || qos > 2 || window < 1 || rate < 0 || warmupSeconds < 0) {
      throw new IllegalArgumentException("--qos must be 0-2, --window at least 1, --rate and --warmup-seconds 0 or more");
    }
    if (keepSessions && !persistent) {
      throw new IllegalArgumentException("--keep-sessions goes with --persistent");
    }
  }
}
