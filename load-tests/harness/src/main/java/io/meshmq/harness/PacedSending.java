package io.meshmq.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The publishers at a fixed total rate, for an offered load such as "4 publishers at 50 msg/s each": each sends
 * rate / N messages per second ({@link PacedPublisher}: every message carries the time it was due, so a broker
 * that holds it back shows in the latency) on a pacing thread of its own, so that a full window holds back only
 * its own publisher, as it would a device. Their schedules are staggered by 1 / rate, so the total stream is evenly
 * spaced rather than N messages at once. A message still unsent a second after the last one was due is not sent:
 * the rate got then falls short of the rate asked.
 */
final class PacedSending implements Sending {

  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Beyond the grace: pacing threads end by themselves at the deadline; this only bounds the wait for them. */
  private static final long JOIN_SLACK_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final List<PacedPublisher> publishers = new ArrayList<>();
  private final double rate;
  private final int seconds;
  private final long perPublisher;

  PacedSending(List<BenchClient> clients, List<String> topics, ThroughputOptions options, TargetOptions target) {
    for (int p = 0; p < clients.size(); p++) {
      publishers.add(new PacedPublisher(clients.get(p), p, topics.get(p), options.qos, target.payloadBytes,
          options.window));
    }
    this.rate = options.rate;
    this.seconds = target.seconds;
    this.perPublisher = Math.min(target.maxMessages, Math.max(1, Math.round(rate / clients.size() * seconds)));
  }

  @Override
  public void run(long startNanos, long deadlineNanos) throws InterruptedException {
    int n = publishers.size();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      PacedPublisher publisher = publishers.get(p);
      long start = startNanos + Math.round(p * 1e9 / rate);
      Thread t = new Thread(() -> publisher.run(rate / n, perPublisher, start, deadlineNanos + GRACE_NANOS), "pacer-" + p);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long joinBy = deadlineNanos + GRACE_NANOS + JOIN_SLACK_NANOS;
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
    }
  }

  @Override
  public long sent(int p) {
    return publishers.get(p).sent();
  }

  @Override
  public void describe(ResultLine line) {
    long sent = publishers.stream().mapToLong(PacedPublisher::sent).sum();
    line.put("pacing", "rate").put("rate_asked", rate).put("rate_got", Math.round(sent / (double) seconds))
        .percentiles("send_delay", ResultLine.merged(publishers.stream().map(PacedPublisher::sendDelayMicros).toList()));
  }
}
