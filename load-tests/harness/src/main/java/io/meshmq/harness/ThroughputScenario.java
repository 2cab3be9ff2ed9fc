package io.meshmq.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishers each sending as fast as their window allows to subscribers for a fixed time, the engine of fan-in
 * (many publishers, one wildcard subscriber) and fan-out (one publisher, many subscribers of its topic). The
 * figure is deliveries per second at the subscribers, over the time from the first send to the last delivery.
 */
final class ThroughputScenario {

  private final String name;
  private final TargetOptions target;
  private final int publishers;
  private final int subscribers;
  private final int qos;
  private final int window;

  ThroughputScenario(String name, TargetOptions target, int publishers, int subscribers, int qos, int window) {
    this.name = name;
    this.target = target;
    this.publishers = publishers;
    this.subscribers = subscribers;
    this.qos = qos;
    this.window = window;
  }

  /**
   * @param wildcard whether each publisher has a topic of its own under one wildcard subscription (fan-in), or
   *     all publish to one topic every subscriber subscribes to exactly (fan-out)
   */
  ResultLine run(boolean wildcard) throws Exception {
    target.validate();
    List<DeliveryLedger> ledgers = new ArrayList<>();
    List<WindowedPublisher> senders = new ArrayList<>();
    long[] sent = new long[publishers];
    long acked = 0;
    long lastAck = 0;
    ResultLine line = new ResultLine(name, target).put("qos", qos).put("publishers", publishers)
        .put("subscribers", subscribers).put("window", window).put("seconds", target.seconds);
    long start;
    long end;
    try (BenchRun run = new BenchRun(target.host, target.threads)) {
      String filter = wildcard ? run.topicPrefix + "/in/+" : run.topicPrefix + "/out";
      for (int s = 0; s < subscribers; s++) {
        DeliveryLedger ledger = new DeliveryLedger(publishers);
        ledgers.add(ledger);
        run.subscriber(target.subscriberPort(), "sub-" + s, ledger, filter, qos);
      }
      List<BenchClient> clients = new ArrayList<>();
      List<String> topics = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        clients.add(run.publisher(target.port, "pub-" + p));
        topics.add(wildcard ? run.topicPrefix + "/in/" + p : filter);
      }
      run.awaitRoutes(clients.get(0), topics.get(0), ledgers);

      start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(target.seconds);
      for (int p = 0; p < publishers; p++) {
        WindowedPublisher w = new WindowedPublisher(clients.get(p), p, topics.get(p), qos, window, target.payloadBytes,
            target.maxMessages, deadline);
        senders.add(w);
        w.start();
      }
      CompletableFuture<Void> allDone = CompletableFuture.allOf(senders.stream().map(WindowedPublisher::done)
          .toArray(CompletableFuture[]::new));
      while (!allDone.isDone() && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      senders.forEach(WindowedPublisher::stop);
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(target.drainSeconds);
      try {
        allDone.get(target.drainSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        line.put("ack_wait_timed_out", true);
      }
      long total = 0;
      for (int p = 0; p < publishers; p++) {
        sent[p] = senders.get(p).sent();
        total += sent[p];
        acked += clients.get(p).acked();
        lastAck = Math.max(lastAck, clients.get(p).lastAckNanos());
      }
      if (!BenchRun.awaitDeliveries(ledgers, total * subscribers, TimeUnit.SECONDS.toNanos(target.quietSeconds), drainDeadline)) {
        line.put("delivery_wait_timed_out", true);
      }
      end = System.nanoTime();
      line.errors(run.errors());
    }
    long lastDelivery = ledgers.stream().mapToLong(DeliveryLedger::lastReceiveNanos).max().orElse(end);
    long received = ledgers.stream().mapToLong(DeliveryLedger::received).sum();
    line.deliveries(sent, ledgers).put("msgs_per_s", Math.round(received / seconds(start, lastDelivery)));
    if (qos > 0) {
      line.put("acked", acked).put("acked_per_s", Math.round(acked / seconds(start, lastAck)));
    }
    return line.percentiles("latency", ResultLine.merged(ledgers));
  }

  private static double seconds(long from, long to) {
    return Math.max(1, to - from) / 1e9;
  }
}
