package io.meshmq.harness;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;

/**
 * The clients of one scenario run: their event loops, connecting and subscribing with time limits, the route
 * probe before measuring, the waits for acknowledgements and deliveries after, and the end of persistent
 * sessions. Closing it closes every client, which also hands the subscribers' ledgers and the publishers'
 * acknowledgement times over to the main thread (the close completes on their event loops).
 */
final class BenchRun implements AutoCloseable {

  private static final long CALL_TIMEOUT_SECONDS = 15;
  private static final long CALL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS);
  /** Connects, subscribes and disconnects in flight at once, at most (see {@link Batched}). */
  private static final int BATCH = 200;
  private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** Probes are spaced by at least this per subscriber: at most 50,000 probe deliveries a second, whatever the fan-out. */
  private static final long PROBE_NANOS_PER_SUBSCRIBER = TimeUnit.MICROSECONDS.toNanos(20);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Topic prefix of this run, so runs never see each other's messages. */
  final String topicPrefix = "bench/" + UUID.randomUUID().toString().substring(0, 8);
  private final EventLoopGroup group;
  private final String host;
  private final double connectRate;
  private final List<BenchClient> clients = new ArrayList<>();
  private final List<BenchClient> subscribers = new ArrayList<>();
  /** Persistent sessions made and not yet ended: {@link #close()} ends them when a run failed half-way. */
  private boolean sessionsOpen;

  BenchRun(TargetOptions target) {
    this.host = target.host;
    this.connectRate = target.connectRate;
    this.group = new MultiThreadIoEventLoopGroup(target.threads, NioIoHandler.newFactory());
  }

  BenchClient publisher(int port, String name) throws Exception {
    return connect(port, name, null);
  }

  private BenchClient connect(int port, String name, DeliveryLedger ledger) throws Exception {
    BenchClient client = BenchClient.connect(group, host, port, clientId(name), true, ledger)
        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }

  /** Client id of the run's client {@code name}: the run's prefix, so that runs never share a session. */
  String clientId(String name) {
    return topicPrefix.replace('/', '-') + "-" + name;
  }

  /**
   * Connects one subscriber per ledger, subscriber i as "sub-i" on port {@code portOf(i)}, then subscribes them
   * all to the filter; {@link #BATCH} at a time, each batch within the call time limit, connects at most at the
   * target's connect rate.
   *
   * @param cleanSession false for persistent sessions, which outlive the connections until {@link #endSessions}
   */
  void subscribers(List<DeliveryLedger> ledgers, IntUnaryOperator portOf, String filter, int qos, boolean cleanSession)
      throws InterruptedException {
    Batched<BenchClient> connected = Batched.run(ledgers.size(), BATCH, connectRate, CALL_TIMEOUT_NANOS,
        i -> BenchClient.connect(group, host, portOf.applyAsInt(i), clientId("sub-" + i), cleanSession, ledgers.get(i)));
    clients.addAll(connected.succeeded());
    subscribers.addAll(connected.succeeded());
    sessionsOpen |= !cleanSession;
    connected.orThrow("a subscriber did not connect");
    Batched.run(subscribers.size(), BATCH, 0, CALL_TIMEOUT_NANOS, i -> subscribers.get(i).subscribe(filter, qos))
        .orThrow("a subscription was not granted");
  }

  /** Subscribers whose CONNACK said the broker already had a session for them. */
  long sessionsPresent() {
    return subscribers.stream().filter(BenchClient::sessionPresent).count();
  }

  /**
   * Disconnects the subscribers (DISCONNECT, as a device going offline would), then, unless {@code keep}, ends
   * their sessions with {@link SessionCleanup}.
   *
   * @return the sessions ended
   */
  int endSessions(boolean keep) throws InterruptedException {
    sessionsOpen = false;
    Batched.run(subscribers.size(), BATCH, 0, CALL_TIMEOUT_NANOS, i -> subscribers.get(i).disconnect());
    return keep ? 0 : SessionCleanup.clean(group, host, subscribers, BATCH, connectRate, CALL_TIMEOUT_NANOS);
  }

  /**
   * Publishes QoS 0 probes to the topic until every subscriber got one: the subscriptions are routable from
   * the publisher's node (on a cluster, the route reached the publisher's node) before measuring starts. Every
   * probe goes to every subscriber, so with thousands of them the probes are spaced further apart, lest a backlog
   * of probes is still being delivered when measuring starts.
   */
  void awaitRoutes(BenchClient publisher, String topic, List<DeliveryLedger> ledgers) {
    long deadline = System.nanoTime() + CALL_TIMEOUT_NANOS;
    long interval = Math.max(PROBE_INTERVAL_NANOS, ledgers.size() * PROBE_NANOS_PER_SUBSCRIBER);
    long reached;
    while ((reached = ledgers.stream().filter(l -> l.probes() > 0).count()) < ledgers.size()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("probe messages reached " + reached + " of " + ledgers.size()
            + " subscribers within " + CALL_TIMEOUT_SECONDS + " s");
      }
      publisher.channel().eventLoop().execute(() -> {
        publisher.publish(topic, 0, BenchPayload.write(publisher.channel().alloc(), BenchPayload.HEADER_BYTES,
            BenchPayload.PROBE, 0, System.nanoTime()));
        publisher.flush();
      });
      LockSupport.parkNanos(interval);
    }
  }

  /** Waits until no publisher has a QoS 1/2 message unacknowledged; false when the deadline came first. */
  static boolean awaitAcks(List<BenchClient> publishers, long deadlineNanos) {
    while (!publishers.stream().allMatch(p -> p.inflight() == 0)) {
      if (System.nanoTime() - deadlineNanos > 0) {
        return false;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return true;
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
    if (sessionsOpen) {
      try {
        endSessions(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (BenchClient c : clients) {
      c.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
