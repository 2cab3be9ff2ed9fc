package io.meshmq.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicIndexTest {

  private final TopicIndex<String> index = new TopicIndex<>();

  private List<String> match(String filter) {
    List<String> seen = new ArrayList<>();
    index.match(filter, seen::add);
    return seen;
  }

  private void store(String... names) {
    for (String name : names) {
      index.put(name, name);
    }
  }

  @Test
  void putGetRemoveAndSize() {
    assertThat(index.isEmpty()).isTrue();
    assertThat(index.put("a/b", "1")).isNull();
    assertThat(index.put("a/b", "2")).isEqualTo("1");
    assertThat(index.put("a", "3")).isNull();
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.get("a/b")).isEqualTo("2");
    assertThat(index.get("a/c")).isNull();
    assertThat(index.get("a/b/c")).isNull();
    assertThat(index.remove("a/c")).isNull();
    assertThat(index.remove("a/b")).isEqualTo("2");
    assertThat(index.remove("a/b")).isNull();
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.nodeCount()).isEqualTo(1);
    assertThat(index.remove("a")).isEqualTo("3");
    assertThat(index.isEmpty()).isTrue();
    assertThat(index.nodeCount()).isZero();
  }

  @Test
  void wildcardsFollowTheSpec() {
    store("sport", "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/golf",
        "/finance", "finance", "$SYS/monitor/Clients", "$SYS", "a/$x");
    assertThat(match("sport/#")).containsExactlyInAnyOrder(
        "sport", "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/golf");
    assertThat(match("sport/+")).containsExactlyInAnyOrder("sport/tennis", "sport/golf");
    assertThat(match("sport/tennis/+")).containsExactly("sport/tennis/player1");
    assertThat(match("+/+")).containsExactlyInAnyOrder("/finance", "sport/tennis", "sport/golf", "a/$x");
    assertThat(match("/+")).containsExactly("/finance");
    assertThat(match("+")).containsExactlyInAnyOrder("sport", "finance");
    assertThat(match("#")).doesNotContain("$SYS/monitor/Clients", "$SYS").hasSize(8);
    assertThat(match("+/monitor/Clients")).isEmpty();
    assertThat(match("$SYS/#")).containsExactlyInAnyOrder("$SYS", "$SYS/monitor/Clients");
    assertThat(match("$SYS/monitor/+")).containsExactly("$SYS/monitor/Clients");
    assertThat(match("a/+")).containsExactly("a/$x");
    assertThat(match("sport/tennis/player1")).containsExactly("sport/tennis/player1");
    assertThat(match("nothing/#")).isEmpty();
  }

  @Test
  void forEachVisitsEverythingIncludingDollarTopics() {
    store("a", "a/b", "$SYS/x", "/");
    List<String> all = new ArrayList<>();
    index.forEach(all::add);
    assertThat(all).containsExactlyInAnyOrder("a", "a/b", "$SYS/x", "/");
  }

  @Test
  void rejectsInvalidNames() {
    assertThatThrownBy(() -> index.put("a/+", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> index.put("#", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> index.put("", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> index.put("a", null)).isInstanceOf(NullPointerException.class);
    assertThat(index.isEmpty()).isTrue();
  }

  @Test
  void pruningStopsAtNodesStillInUse() {
    store("a/b/c", "a/b", "a/d");
    index.remove("a/b/c");
    assertThat(index.nodeCount()).isEqualTo(3);
    index.remove("a/b");
    assertThat(index.nodeCount()).isEqualTo(2);
    assertThat(match("a/#")).containsExactly("a/d");
  }

  @Test
  void veryDeepNamesDoNotExhaustTheStack() {
    String deep = "a" + "/a".repeat(50_000);
    store(deep, "a");
    assertThat(match("#")).containsExactlyInAnyOrder(deep, "a");
    assertThat(match(deep)).containsExactly(deep);
    assertThat(match("a/+/#")).containsExactly(deep);
    assertThat(index.remove(deep)).isEqualTo(deep);
    assertThat(index.nodeCount()).isEqualTo(1);
  }
}
