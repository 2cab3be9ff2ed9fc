package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TopicTrieTest {

  private final TopicTrie<String, String> trie = new TopicTrie<>();

  private List<String> match(String topic) {
    List<String> seen = new ArrayList<>();
    trie.match(topic, seen::add);
    return seen;
  }

  @Test
  void putGetRemoveAndCounts() {
    assertThat(trie.isEmpty()).isTrue();
    assertThat(trie.put("a/+", "c1", "v1")).isNull();
    assertThat(trie.put("a/+", "c1", "v2")).isEqualTo("v1");
    assertThat(trie.put("a/+", "c2", "v3")).isNull();
    assertThat(trie.put("a/#", "c1", "v4")).isNull();
    assertThat(trie.get("a/+", "c1")).isEqualTo("v2");
    assertThat(trie.get("a/+", "nobody")).isNull();
    assertThat(trie.get("a", "c1")).isNull();
    assertThat(trie.get("x/y", "c1")).isNull();
    assertThat(trie.size()).isEqualTo(3);
    assertThat(trie.filterCount()).isEqualTo(2);
    assertThat(trie.isEmpty()).isFalse();

    assertThat(trie.remove("a/+", "c1")).isEqualTo("v2");
    assertThat(trie.remove("a/+", "c1")).isNull();
    assertThat(trie.remove("a", "c1")).isNull();
    assertThat(trie.remove("nowhere/#", "c1")).isNull();
    assertThat(trie.size()).isEqualTo(2);
    assertThat(trie.filterCount()).isEqualTo(2);
    assertThat(trie.remove("a/+", "c2")).isEqualTo("v3");
    assertThat(trie.filterCount()).isEqualTo(1);
    assertThat(trie.remove("a/#", "c1")).isEqualTo("v4");
    assertThat(trie.isEmpty()).isTrue();
    assertThat(trie.filterCount()).isZero();
    assertThat(trie.nodeCount()).isZero();
  }

  @Test
  void sameKeyThroughSeveralFiltersIsVisitedOncePerFilter() {
    trie.put("a/b", "c1", "exact");
    trie.put("a/+", "c1", "plus");
    trie.put("a/#", "c1", "hash");
    trie.put("#", "c1", "all");
    trie.put("+/b", "c2", "other");
    trie.put("a/c", "c3", "miss");
    assertThat(match("a/b")).containsExactlyInAnyOrder("exact", "plus", "hash", "all", "other");
    assertThat(match("a")).containsExactlyInAnyOrder("hash", "all");
  }

  @Test
  void matchEntriesReportsTheStoredFilter() {
    trie.put("a/+", "c1", "v1");
    trie.put("a/#", "c2", "v2");
    trie.put("b", "c3", "v3");
    List<String> seen = new ArrayList<>();
    trie.matchEntries("a/x", (filter, key, value) -> seen.add(filter + " " + key + " " + value));
    assertThat(seen).containsExactlyInAnyOrder("a/+ c1 v1", "a/# c2 v2");

    List<String> all = new ArrayList<>();
    trie.forEach((filter, key, value) -> all.add(filter + " " + key + " " + value));
    assertThat(all).containsExactlyInAnyOrder("a/+ c1 v1", "a/# c2 v2", "b c3 v3");
  }

  @Test
  void dollarTopicsAreOnlyReachedByExplicitFirstLevel() {
    trie.put("#", "c", "hash");
    trie.put("+/x", "c", "plus");
    trie.put("$SYS/#", "c", "sys");
    trie.put("$SYS/+", "c", "sysPlus");
    assertThat(match("$SYS/x")).containsExactlyInAnyOrder("sys", "sysPlus");
    assertThat(match("$SYS")).containsExactly("sys");
    assertThat(match("a/x")).containsExactlyInAnyOrder("hash", "plus");
  }

  @Test
  void pruningKeepsSharedPrefixesInUse() {
    trie.put("a/b/c", "k", "1");
    trie.put("a/b", "k", "2");
    trie.put("a/+/c", "k", "3");
    trie.put("a/b/#", "k", "4");
    int full = trie.nodeCount();
    trie.remove("a/b/c", "k");
    assertThat(trie.nodeCount()).isEqualTo(full - 1);
    assertThat(match("a/b")).containsExactlyInAnyOrder("2", "4");
    trie.remove("a/b", "k");
    trie.remove("a/b/#", "k");
    // only a, a/+, a/+/c remain
    assertThat(trie.nodeCount()).isEqualTo(3);
    assertThat(match("a/z/c")).containsExactly("3");
    trie.remove("a/+/c", "k");
    assertThat(trie.nodeCount()).isZero();
    // The trie is usable after being emptied.
    trie.put("a/b/c", "k", "again");
    assertThat(match("a/b/c")).containsExactly("again");
  }

  @Test
  void rejectsInvalidAndSharedFilters() {
    assertThatThrownBy(() -> trie.put("a/#/b", "k", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> trie.put("a+", "k", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> trie.put("", "k", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> trie.put("$share/g/a", "k", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inner filter");
    assertThatThrownBy(() -> trie.put("a", null, "v")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> trie.put("a", "k", null)).isInstanceOf(NullPointerException.class);
    assertThat(trie.isEmpty()).isTrue();
    assertThat(trie.nodeCount()).isZero();
  }

  @Test
  void veryDeepTopicsDoNotExhaustTheStack() {
    String deep = "a" + "/a".repeat(50_000);
    trie.put("#", "k", "hash");
    trie.put(deep, "k", "exact");
    trie.put("a/+/a/#", "k", "mixed");
    assertThat(match(deep)).containsExactlyInAnyOrder("hash", "exact", "mixed");
    assertThat(trie.remove(deep, "k")).isEqualTo("exact");
    assertThat(trie.nodeCount()).isEqualTo(5);
  }

  /**
   * Readers must always see entries that are never removed, however the writer reshapes the nodes around them
   * (creating and pruning siblings, descendants and wildcard children on the same path).
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void concurrentReadersAlwaysSeeStableEntries() throws InterruptedException {
    TopicTrie<Integer, String> shared = new TopicTrie<>();
    shared.put("s/+/c", 0, "stable-plus");
    shared.put("s/b/#", 0, "stable-hash");
    String[] churn = {"s/b/c", "s/b/c/d", "s/+/c/#", "s/+", "s/#", "s/b/+", "s/+/+", "#", "s/b/c/+", "+/b/c"};
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();

    Thread writer = new Thread(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!stop.get()) {
        String filter = churn[random.nextInt(churn.length)];
        int key = 1 + random.nextInt(3);
        if (random.nextBoolean()) {
          shared.put(filter, key, filter);
        } else {
          shared.remove(filter, key);
        }
      }
    });
    Runnable reader = () -> {
      try {
        while (!stop.get()) {
          List<String> seen = new ArrayList<>();
          shared.match("s/b/c", seen::add);
          assertThat(seen).contains("stable-plus", "stable-hash");
          reads.incrementAndGet();
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        stop.set(true);
      }
    };
    Thread reader1 = new Thread(reader);
    Thread reader2 = new Thread(reader);
    writer.start();
    reader1.start();
    reader2.start();
    Thread.sleep(300);
    stop.set(true);
    writer.join();
    reader1.join();
    reader2.join();
    assertThat(failure.get()).isNull();
    assertThat(reads.get()).isPositive();

    // Once quiet, removing everything but the stable entries leaves exactly their nodes.
    for (String filter : churn) {
      for (int key = 1; key <= 3; key++) {
        shared.remove(filter, key);
      }
    }
    assertThat(shared.size()).isEqualTo(2);
    assertThat(shared.nodeCount()).isEqualTo(5); // s, s/+, s/+/c, s/b, s/b/#
  }
}
