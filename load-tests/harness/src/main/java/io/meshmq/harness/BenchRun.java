package io.meshmq.harness;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The clients of one scenario run: their event loops, connecting and subscribing with time limits, the route
 * probe before measuring, and the wait for deliveries after. Closing it closes every client, which also hands
 * the subscribers' ledgers over to the main thread (the close completes on their event loops).
 */
final class BenchRun implements AutoCloseable {

  private static final long CALL_TIMEOUT_SECONDS = 15;
  private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Topic prefix of this run, so runs never see each other's messages. */
  final String topicPrefix = "bench/" + UUID.randomUUID().toString().substring(0, 8);
  private final EventLoopGroup group;
  private final String host;
  private final List<BenchClient> clients = new ArrayList<>();

  BenchRun(String host, int threads) {
    this.host = host;
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  BenchClient publisher(int port, String name) throws Exception {
    return connect(port, name, null);
  }

  BenchClient subscriber(int port, String name, DeliveryLedger ledger, String filter, int qos) throws Exception {
    BenchClient client = connect(port, name, ledger);
    client.subscribe(filter, qos).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return client;
  }

  private BenchClient connect(int port, String name, DeliveryLedger ledger) throws Exception {
    BenchClient client = BenchClient.connect(group, host, port, topicPrefix.replace('/', '-') + "-" + name, ledger)
        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }

  /**
   * Publishes QoS 0 probes to the topic until every subscriber got one: the subscriptions are routable from
   * the publisher's node (on a cluster, the route reached the publisher's node) before measuring starts.
   */
  void awaitRoutes(BenchClient publisher, String topic, List<DeliveryLedger> ledgers) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS);
    while (!ledgers.stream().allMatch(l -> l.probes() > 0)) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("probe messages did not reach every subscriber within " + CALL_TIMEOUT_SECONDS + " s");
      }
      publisher.channel().eventLoop().execute(() -> {
        publisher.publish(topic, 0, BenchPayload.write(publisher.channel().alloc(), BenchPayload.HEADER_BYTES,
            BenchPayload.PROBE, 0, System.nanoTime()));
        publisher.flush();
      });
      LockSupport.parkNanos(PROBE_INTERVAL_NANOS);
    }
  }

  /**
   * Waits until the subscribers received {@code expected} messages in all, or nothing arrived for
   * {@code quietNanos} (lost messages never come), or the deadline passed.
   *
   * @return false when the deadline ended the wait while messages were still arriving: then "lost" includes
   *     messages that were merely late
   */
  static boolean awaitDeliveries(List<DeliveryLedger> ledgers, long expected, long quietNanos, long deadlineNanos) {
    long last = -1;
    long lastChange = System.nanoTime();
    while (true) {
      long received = ledgers.stream().mapToLong(DeliveryLedger::received).sum();
      long now = System.nanoTime();
      if (received != last) {
        last = received;
        lastChange = now;
      }
      if (received >= expected || now - lastChange > quietNanos) {
        return true;
      }
      if (now - deadlineNanos > 0) {
        return false;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** The first error of each client that had one; call before {@link #close()}, which closes them all. */
  List<String> errors() {
    List<String> errors = new ArrayList<>();
    for (BenchClient c : clients) {
      if (c.error() != null) {
        errors.add(c.error());
      }
    }
    return errors;
  }

  @Override
  public void close() {
    for (BenchClient c : clients) {
      c.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
