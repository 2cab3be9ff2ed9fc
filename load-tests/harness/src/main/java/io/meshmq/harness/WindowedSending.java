package io.meshmq.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every publisher as fast as its window allows ({@link WindowedPublisher}), until the deadline or its message limit:
 * the throughput a broker sustains when its publishers never wait for anything but its acknowledgements.
 */
final class WindowedSending implements Sending {

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final List<BenchClient> clients;
  private final List<String> topics;
  private final ThroughputOptions options;
  private final TargetOptions target;
  private final List<WindowedPublisher> publishers = new ArrayList<>();

  WindowedSending(List<BenchClient> clients, List<String> topics, ThroughputOptions options, TargetOptions target) {
    this.clients = clients;
    this.topics = topics;
    this.options = options;
    this.target = target;
  }

  @Override
  public void run(long startNanos, long deadlineNanos) {
    for (int p = 0; p < clients.size(); p++) {
      WindowedPublisher w = new WindowedPublisher(clients.get(p), p, topics.get(p), options.qos, options.window,
          target.payloadBytes, target.maxMessages, deadlineNanos);
      publishers.add(w);
      w.start();
    }
    CompletableFuture<Void> allDone = CompletableFuture.allOf(publishers.stream().map(WindowedPublisher::done)
        .toArray(CompletableFuture[]::new));
    while (!allDone.isDone() && System.nanoTime() - deadlineNanos < 0) {
      LockSupport.parkNanos(POLL_NANOS);
    }
    publishers.forEach(WindowedPublisher::stop);
  }

  @Override
  public long sent(int p) {
    return publishers.get(p).sent();
  }

  @Override
  public void describe(ResultLine line) {
    line.put("pacing", "window");
  }
}
