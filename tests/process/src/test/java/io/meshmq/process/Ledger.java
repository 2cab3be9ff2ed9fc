package io.meshmq.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * What happened to each numbered message: handed to the publishing client, acknowledged by the broker (PUBACK),
 * received by each subscriber ({@link Receiver}, how many times); plus a timeline of test events (node restarts,
 * client reconnects) to read a loss against.
 */
final class Ledger {

  private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
  private final Map<Integer, Long> ackedAt = new ConcurrentHashMap<>();
  private final Map<Integer, String> failed = new ConcurrentHashMap<>();
  private final List<Receiver> receivers = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<String> timeline = new ConcurrentLinkedQueue<>();

  /**
   * A subscriber's view.
   *
   * @param subscribedTo the numbers its subscription matches
   */
  Receiver receiver(String name, IntPredicate subscribedTo) {
    Receiver r = new Receiver(name, subscribedTo);
    receivers.add(r);
    return r;
  }

  void sent(int seq) {
    sentAt.putIfAbsent(seq, System.currentTimeMillis());
  }

  /** Records the first PUBACK of {@code seq}; returns whether it was the first. */
  boolean acked(int seq) {
    return ackedAt.putIfAbsent(seq, System.currentTimeMillis()) == null;
  }

  void failed(int seq, Throwable cause) {
    failed.putIfAbsent(seq, Clock.now() + " " + cause);
  }

  void event(String what) {
    timeline.add(Clock.now() + " " + what);
    Clock.log(what);
  }

  /** Waits (bounded) until {@code n} messages are acknowledged; throws with the report and {@code context}. */
  void awaitAcked(int n, Duration timeout, Supplier<String> context) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (ackedCount() < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + ackedCount() + " PUBACKs within " + timeout.toSeconds() + " s\n"
            + report() + "\n" + context.get());
      }
      Thread.sleep(20);
    }
  }

  int sentCount() {
    return sentAt.size();
  }

  int ackedCount() {
    return ackedAt.size();
  }

  Long ackTime(int seq) {
    return ackedAt.get(seq);
  }

  Long sendTime(int seq) {
    return sentAt.get(seq);
  }

  /** Messages handed to the client that never got a PUBACK (sorted). */
  List<Integer> unacked() {
    List<Integer> out = new ArrayList<>();
    for (Integer seq : new TreeMap<>(sentAt).keySet()) {
      if (!ackedAt.containsKey(seq)) {
        out.add(seq);
      }
    }
    return out;
  }

  /** The longest time without any PUBACK between the first and the last one: {start, end} in epoch millis. */
  long[] longestAckGap() {
    long[] times = ackedAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
    long[] best = {0, 0};
    for (int i = 1; i < times.length; i++) {
      if (times[i] - times[i - 1] > best[1] - best[0]) {
        best = new long[] {times[i - 1], times[i]};
      }
    }
    return best;
  }

  /** A multi-line summary for logs and failure messages. */
  String report() {
    List<Integer> unacked = unacked();
    long[] gap = longestAckGap();
    StringBuilder b = new StringBuilder();
    b.append("published: handed to the client ").append(sentCount()).append(", acknowledged ").append(ackedCount())
        .append(", never acknowledged ").append(unacked.size())
        .append(unacked.isEmpty() ? "" : " -> " + ranges(unacked)).append('\n');
    if (!failed.isEmpty()) {
      b.append("  client-side failures (Paho re-sends them after a reconnect): ").append(failed.size())
          .append(", first: ").append(new TreeMap<>(failed).firstEntry()).append('\n');
    }
    b.append("  longest PUBACK gap: ").append(gap[1] - gap[0]).append(" ms (").append(fmt(gap[0])).append(" .. ")
        .append(fmt(gap[1])).append(")\n");
    for (Receiver r : receivers) {
      r.report(b);
    }
    b.append("timeline:\n");
    for (String e : timeline) {
      b.append("  ").append(e).append('\n');
    }
    return b.toString();
  }

  /** What one subscriber received. */
  final class Receiver {
    private final String name;
    private final IntPredicate subscribedTo;
    private final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicInteger strays = new AtomicInteger();

    private Receiver(String name, IntPredicate subscribedTo) {
      this.name = name;
      this.subscribedTo = subscribedTo;
    }

    String name() {
      return name;
    }

    Ledger ledger() {
      return Ledger.this;
    }

    void received(int seq) {
      deliveries.incrementAndGet();
      received.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
    }

    /** A payload that is not a number of this stream. */
    void stray() {
      strays.incrementAndGet();
    }

    int distinct() {
      return received.size();
    }

    /** Acknowledged messages its subscription matches that it has not received (sorted). */
    List<Integer> lost() {
      List<Integer> out = new ArrayList<>();
      for (Integer seq : new TreeMap<>(ackedAt).keySet()) {
        if (subscribedTo.test(seq) && !received.containsKey(seq)) {
          out.add(seq);
        }
      }
      return out;
    }

    /** Messages received more than once (sorted). */
    List<Integer> duplicated() {
      List<Integer> out = new ArrayList<>();
      for (Map.Entry<Integer, AtomicInteger> e : new TreeMap<>(received).entrySet()) {
        if (e.getValue().get() > 1) {
          out.add(e.getKey());
        }
      }
      return out;
    }

    /** Waits (bounded) until every acknowledged message it subscribed to has arrived. */
    void awaitAckedReceived(Duration timeout) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (!lost().isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
    }

    private void report(StringBuilder b) {
      List<Integer> lost = lost();
      List<Integer> dup = duplicated();
      long expected = ackedAt.keySet().stream().filter(subscribedTo::test).count();
      b.append("subscriber ").append(name).append(": received ").append(received.size()).append(" distinct of ")
          .append(expected).append(" acknowledged for it (").append(deliveries.get()).append(" deliveries)\n");
      b.append("  LOST (acknowledged, never received): ").append(lost.size())
          .append(lost.isEmpty() ? "" : " -> " + ranges(lost)).append('\n');
      for (int i = 0; i < Math.min(lost.size(), 10); i++) {
        int seq = lost.get(i);
        b.append("    #").append(seq).append(" handed to the client ").append(fmt(sentAt.get(seq)))
            .append(", PUBACK ").append(fmt(ackedAt.get(seq))).append('\n');
      }
      b.append("  duplicates (QoS 1 allows them): ").append(dup.size()).append(" messages, ")
          .append(deliveries.get() - received.size()).append(" extra copies")
          .append(dup.isEmpty() ? "" : " -> " + ranges(dup)).append('\n');
      if (strays.get() > 0) {
        b.append("  stray payloads: ").append(strays.get()).append('\n');
      }
    }
  }

  private static String fmt(Long millis) {
    return millis == null ? "-" : Clock.format(millis);
  }

  /** 1,2,3,7,9,10 -> "1-3, 7, 9-10" (at most 40 ranges, then a count). */
  static String ranges(List<Integer> sorted) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      if (shown == 40) {
        b.append(", ... (").append(sorted.size() - i).append(" more)");
        break;
      }
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(sorted.get(i));
      if (j > i) {
        b.append('-').append(sorted.get(j));
      }
      shown++;
      i = j + 1;
    }
    return b.toString();
  }
}
