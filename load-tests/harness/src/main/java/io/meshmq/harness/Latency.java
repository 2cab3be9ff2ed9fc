package io.meshmq.harness;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * End-to-end latency at a fixed rate: one publisher, one subscriber, each message timed from the moment it was
 * due to be sent (not from when it left) to its delivery, so a stall counts for every message it held up.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "One publisher at a fixed rate to one subscriber; percentiles from each message's intended send time")
final class Latency implements Callable<Integer> {

  @Mixin
  TargetOptions target;

  @Option(names = "--rate", description = "Messages per second (default: ${DEFAULT-VALUE})")
  int rate = 1000;

  @Option(names = "--qos", description = "QoS of the publishes and the subscription, 0-2 (default: ${DEFAULT-VALUE})")
  int qos = 1;

  @Option(names = "--warmup-seconds", description = "Messages due in this first part of the run are counted but not "
      + "timed (default: ${DEFAULT-VALUE})")
  int warmupSeconds = 2;

  @Option(names = "--max-inflight", description = "Unacknowledged QoS 1/2 messages before the publisher waits; the wait "
      + "counts in the latency (default: ${DEFAULT-VALUE})")
  int maxInflight = 1000;

  @Override
  public Integer call() throws Exception {
    System.out.println(measure());
    return 0;
  }

  ResultLine measure() throws Exception {
    target.validate();
    long count = Math.min(target.maxMessages, (long) rate * target.seconds);
    ResultLine line = new ResultLine("latency", target).put("qos", qos).put("rate", rate).put("seconds", target.seconds)
        .put("warmup_seconds", warmupSeconds);
    PacedPublisher publisher;
    DeliveryLedger ledger;
    try (BenchRun run = new BenchRun(target)) {
      String topic = run.topicPrefix + "/latency";
      ledger = new DeliveryLedger(1);
      run.subscribers(List.of(ledger), i -> target.subscriberPort(), topic, qos, true);
      BenchClient client = run.publisher(target.port, "pub");
      run.awaitRoutes(client, topic, List.of(ledger));
      long start = System.nanoTime();
      ledger.recordLatencyFrom(start + TimeUnit.SECONDS.toNanos(warmupSeconds));
      publisher = new PacedPublisher(client, 0, topic, qos, target.payloadBytes, maxInflight);
      long deadline = start + TimeUnit.SECONDS.toNanos(target.seconds + 1);
      publisher.run(rate, count, start, deadline);
      if (!BenchRun.awaitDeliveries(List.of(ledger), publisher.sent(), TimeUnit.SECONDS.toNanos(target.quietSeconds),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(target.drainSeconds))) {
        line.put("delivery_wait_timed_out", true);
      }
      line.put("acked", client.acked()).errors(run.errors());
    }
    line.deliveries(new long[] {publisher.sent()}, List.of(ledger)).percentiles("latency", ledger.latencyMicros())
        .percentiles("send_delay", publisher.sendDelayMicros());
    return line;
  }
}
