package io.meshmq.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Publishers sending to subscribers for a fixed time, the engine of fan-in (many publishers, one wildcard
 * subscriber) and fan-out (publishers of one topic, many subscribers of it): as fast as their windows allow, or at
 * a fixed total rate; to subscribers with clean or persistent sessions. The figures are deliveries per second at
 * the subscribers, over the time from the first send to the last delivery, and the publishers' acknowledged
 * messages per second with how long each waited for its acknowledgement.
 */
final class ThroughputScenario {

  private final String name;
  private final TargetOptions target;
  private final ThroughputOptions options;
  private final int publishers;
  private final int subscribers;

  ThroughputScenario(String name, TargetOptions target, ThroughputOptions options, int publishers, int subscribers) {
    this.name = name;
    this.target = target;
    this.options = options;
    this.publishers = publishers;
    this.subscribers = subscribers;
  }

  /**
   * @param wildcard whether each publisher has a topic of its own under one wildcard subscription (fan-in), or
   *     all publish to one topic every subscriber subscribes to exactly (fan-out)
   */
  ResultLine run(boolean wildcard) throws Exception {
    target.validate();
    options.validate();
    if (publishers < 1 || subscribers < 1) {
      throw new IllegalArgumentException("a run needs at least one publisher and one subscriber");
    }
    List<DeliveryLedger> ledgers = new ArrayList<>();
    for (int s = 0; s < subscribers; s++) {
      ledgers.add(new DeliveryLedger(publishers));
    }
    List<BenchClient> clients = new ArrayList<>();
    long[] sent = new long[publishers];
    ResultLine line = new ResultLine(name, target).put("qos", options.qos).put("publishers", publishers)
        .put("subscribers", subscribers).put("window", options.window).put("seconds", target.seconds)
        .put("persistent", options.persistent);
    Sending sending;
    long start;
    long end;
    try (BenchRun run = new BenchRun(target)) {
      String filter = wildcard ? run.topicPrefix + "/in/+" : run.topicPrefix + "/out";
      long connecting = System.nanoTime();
      run.subscribers(ledgers, target::subscriberPort, filter, options.qos, !options.persistent);
      line.put("subscribers_ready_s", seconds(connecting, System.nanoTime()));
      if (options.persistent) {
        // a fresh client id finds no session; one found means a broker mixed up sessions or ids repeat
        line.put("sessions_present_at_connect", run.sessionsPresent())
            .put("subscriber_client_id_prefix", run.clientId("sub-"));
      }
      List<String> topics = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        clients.add(run.publisher(target.port, "pub-" + p));
        topics.add(wildcard ? run.topicPrefix + "/in/" + p : filter);
      }
      run.awaitRoutes(clients.get(0), topics.get(0), ledgers);

      sending = options.paced() ? new PacedSending(clients, topics, options, target)
          : new WindowedSending(clients, topics, options, target);
      start = System.nanoTime();
      long timedFrom = start + TimeUnit.SECONDS.toNanos(options.warmupSeconds);
      clients.forEach(c -> c.timeAcksFrom(timedFrom));
      line.put("puback_wait_warmup_seconds", options.warmupSeconds);
      sending.run(start, start + TimeUnit.SECONDS.toNanos(target.seconds));
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(target.drainSeconds);
      if (!BenchRun.awaitAcks(clients, drainDeadline)) {
        line.put("ack_wait_timed_out", true);
      }
      long total = 0;
      for (int p = 0; p < publishers; p++) {
        sent[p] = sending.sent(p);
        total += sent[p];
      }
      if (!BenchRun.awaitDeliveries(ledgers, total * subscribers, TimeUnit.SECONDS.toNanos(target.quietSeconds), drainDeadline)) {
        line.put("delivery_wait_timed_out", true);
      }
      end = System.nanoTime();
      line.errors(run.errors());
      if (options.persistent) {
        endSessions(run, line);
      }
    }
    long lastDelivery = ledgers.stream().mapToLong(DeliveryLedger::lastReceiveNanos).max().orElse(end);
    long received = ledgers.stream().mapToLong(DeliveryLedger::received).sum();
    line.deliveries(sent, ledgers).put("msgs_per_s", Math.round(received / seconds(start, lastDelivery)));
    sending.describe(line);
    if (options.paced()) {
      line.put("deliveries_asked_per_s", Math.round(options.rate * subscribers));
    }
    if (options.qos > 0) {
      long acked = clients.stream().mapToLong(BenchClient::acked).sum();
      long lastAck = clients.stream().mapToLong(BenchClient::lastAckNanos).max().orElse(end);
      line.put("acked", acked).put("acked_per_s", Math.round(acked / seconds(start, lastAck)))
          .percentiles("puback_wait", ResultLine.merged(clients.stream().map(BenchClient::ackWaitMicros).toList()));
    }
    return line.percentiles("latency", ResultLine.merged(ledgers.stream().map(DeliveryLedger::latencyMicros).toList()));
  }

  private void endSessions(BenchRun run, ResultLine line) throws InterruptedException {
    long ending = System.nanoTime();
    int ended = run.endSessions(options.keepSessions);
    if (options.keepSessions) {
      line.put("sessions_kept", subscribers);
    } else {
      line.put("sessions_cleaned", ended).put("sessions_clean_s", seconds(ending, System.nanoTime()));
    }
  }

  private static double seconds(long from, long to) {
    return Math.max(1, to - from) / 1e9;
  }
}
