package io.meshmq.gatling.mqtt;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Per virtual user: its client and its inbox. Deliveries arrive on the client's threads; an await-message action
 * takes them from the inbox or waits for them.
 */
final class MqttUser {
  static final int INBOX_LIMIT = 100_000;

  final String clientId;
  volatile MqttConnection connection;
  final InetSocketAddress brokerAddress;
  final String broker;
  volatile long lastSubscribeStart;
  volatile byte[] lastCorrelationData;

  private final ArrayDeque<Received> inbox = new ArrayDeque<>();
  private long dropped;
  private Waiter waiter;

  MqttUser(String clientId, InetSocketAddress broker) {
    this.clientId = clientId;
    this.brokerAddress = broker;
    this.broker = broker.getHostString() + ":" + broker.getPort();
  }

  /** Waits for {@code count} messages matching {@code filter}; non-matching ones it meets are discarded. */
  static final class Waiter {
    final Predicate<Received> filter;
    final int count;
    final java.util.function.Consumer<Waiter> onDone;
    int matched;
    Received first;
    Received last;
    boolean done;

    Waiter(Predicate<Received> filter, int count, java.util.function.Consumer<Waiter> onDone) {
      this.filter = filter;
      this.count = count;
      this.onDone = onDone;
    }
  }

  void deliver(Received message) {
    Waiter finished = null;
    synchronized (this) {
      if (waiter != null && !waiter.done) {
        if (waiter.filter.test(message) && take(waiter, message)) {
          finished = waiter;
          waiter = null;
        }
      } else {
        if (inbox.size() >= INBOX_LIMIT) {
          inbox.pollFirst();
          dropped++;
        }
        inbox.addLast(message);
      }
    }
    if (finished != null) {
      finished.onDone.accept(finished);
    }
  }

  private static boolean take(Waiter w, Received m) {
    if (w.first == null) {
      w.first = m;
    }
    w.last = m;
    w.matched++;
    if (w.matched >= w.count) {
      w.done = true;
      return true;
    }
    return false;
  }

  /** Starts waiting; completes at once (on this thread) when the inbox already holds enough. */
  void await(Waiter w) {
    boolean finished = false;
    synchronized (this) {
      Received m;
      while ((m = inbox.pollFirst()) != null) {
        if (w.filter.test(m) && take(w, m)) {
          finished = true;
          break;
        }
      }
      if (!finished) {
        waiter = w;
      }
    }
    if (finished) {
      w.onDone.accept(w);
    }
  }

  /** Gives up on a waiter (timeout); returns false when it completed meanwhile. */
  synchronized boolean cancel(Waiter w) {
    if (w.done) {
      return false;
    }
    w.done = true;
    if (waiter == w) {
      waiter = null;
    }
    return true;
  }

  synchronized long dropped() {
    return dropped;
  }
}
