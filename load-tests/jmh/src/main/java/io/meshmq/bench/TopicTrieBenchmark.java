package io.meshmq.bench;

import io.meshmq.core.topic.TopicTrie;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Topic matching against a subscription trie shaped like an IoT deployment: 100 tenants of 250 devices, each
 * device subscribed to its own telemetry ({@code +} and one exact metric), state (exact) and config ({@code #});
 * every tenant has an alert pipeline {@code tenant{t}/+/alerts/#}, ten tenants an audit {@code tenant{t}/#}, and
 * a monitor holds {@code $SYS/#}. That is 100,111 filters.
 *
 * <p>Each benchmark exists twice: ops/s (throughput) and ns/op (average time). Topics rotate through 1,024
 * precomputed samples so that the lookups do not keep hitting the same few cache lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TopicTrieBenchmark {

  private static final int TENANTS = 100;
  private static final int DEVICES = 250;
  private static final int AUDITED_TENANTS = 10;
  private static final int SAMPLES = 1024;

  private TopicTrie<String, Integer> trie;
  /** Topics matching 1 to 3 filters. */
  private String[] hitTopics;
  /** Topics matching nothing, although they share the first two levels with many filters. */
  private String[] missTopics;
  /** Filters absent from the trie, for the put+remove benchmark. */
  private String[] freshFilters;

  @Setup
  public void buildTrie() {
    trie = new TopicTrie<>();
    for (int t = 0; t < TENANTS; t++) {
      for (int d = 0; d < DEVICES; d++) {
        String device = "tenant" + t + "/device" + d;
        String owner = "device-" + t + "-" + d;
        trie.put(device + "/telemetry/+", "ingest-" + t, 0);
        trie.put(device + "/telemetry/temperature", "thermostat-" + t, 1);
        trie.put(device + "/state", "dashboard-" + t, 1);
        trie.put(device + "/config/#", owner, 1);
      }
      trie.put("tenant" + t + "/+/alerts/#", "alerting-" + t, 1);
      if (t < AUDITED_TENANTS) {
        trie.put("tenant" + t + "/#", "audit-" + t, 0);
      }
    }
    trie.put("$SYS/#", "monitor", 0);

    SplittableRandom random = new SplittableRandom(42);
    String[] suffixes = {"telemetry/temperature", "telemetry/humidity", "state", "config/wifi", "alerts/overheat"};
    hitTopics = new String[SAMPLES];
    missTopics = new String[SAMPLES];
    freshFilters = new String[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      int d = random.nextInt(DEVICES);
      hitTopics[i] = "tenant" + random.nextInt(TENANTS) + "/device" + d + "/"
          + suffixes[random.nextInt(suffixes.length)];
      // No audit tenants here: their tenant{t}/# would match.
      missTopics[i] = "tenant" + random.nextInt(AUDITED_TENANTS, TENANTS) + "/device" + d + "/logs/debug";
      freshFilters[i] = "tenant" + random.nextInt(TENANTS) + "/device" + d + "/bench/+";
    }
    checkShape();
  }

  /** Fails the run if the data does not have the shape the figures claim. */
  private void checkShape() {
    Counter counter = new Counter();
    for (int i = 0; i < SAMPLES; i++) {
      counter.count = 0;
      trie.match(hitTopics[i], counter);
      if (counter.count < 1 || counter.count > 3) {
        throw new IllegalStateException(hitTopics[i] + " matched " + counter.count + " filters");
      }
      counter.count = 0;
      trie.match(missTopics[i], counter);
      if (counter.count != 0) {
        throw new IllegalStateException(missTopics[i] + " matched " + counter.count + " filters");
      }
    }
  }

  /** Per-thread sample cursor and match sink. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;
    final Counter counter = new Counter();

    int next() {
      return next++ & (SAMPLES - 1);
    }
  }

  /** Counts visited values; the count is returned, so the JIT cannot drop the match. */
  static final class Counter implements Consumer<Integer> {
    int count;

    @Override
    public void accept(Integer value) {
      count++;
    }
  }

  @Benchmark
  public int matchHit(Cursor cursor) {
    return match(hitTopics[cursor.next()], cursor.counter);
  }

  @Benchmark
  public int matchMiss(Cursor cursor) {
    return match(missTopics[cursor.next()], cursor.counter);
  }

  @Benchmark
  public Integer putRemove(Cursor cursor) {
    String filter = freshFilters[cursor.next()];
    trie.put(filter, "bench", 1);
    return trie.remove(filter, "bench");
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int matchHitAvg(Cursor cursor) {
    return matchHit(cursor);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int matchMissAvg(Cursor cursor) {
    return matchMiss(cursor);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Integer putRemoveAvg(Cursor cursor) {
    return putRemove(cursor);
  }

  private int match(String topic, Counter counter) {
    counter.count = 0;
    trie.match(topic, counter);
    return counter.count;
  }
}
