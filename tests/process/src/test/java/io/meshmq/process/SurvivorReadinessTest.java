package io.meshmq.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three broker JVMs; node c gets SIGKILL. A load balancer sends clients to a node while its /health/ready answers
 * 200, so the survivors a and b must answer 200 on every poll (every 100 ms) from before the kill until the cluster
 * is safe again and for a few seconds after: one node's crash must not take the others out of the load balancer
 * (it did while readiness included the cluster's safety: ~5 s of 503 on every survivor). Meanwhile
 * /health/cluster-safe, which a rolling restart waits for before it stops another node, must go down and come back:
 * the two questions are really apart, and the polls cover the unsafe window.
 */
class SurvivorReadinessTest {

  static final Duration POLL_EVERY = Duration.ofMillis(100);
  /** How long readiness is still watched once both survivors report the cluster safe again. */
  static final long AFTER_SAFE_MILLIS = 3_000;
  /** Readiness answers from local state; a gap longer than this between two polls would leave the window unwatched. */
  static final long MAX_POLL_GAP_MILLIS = 2_000;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void survivorsStayReadyWhileTheClusterIsUnsafeAfterAPeerIsKilled() {
    ProcessCluster cluster = ProcessCluster.start("readiness", 3, Map.of("cluster.member-timeout-seconds", "10"));
    try (HealthPolls polls = new HealthPolls(POLL_EVERY, 4)) {
      BrokerProcess a = cluster.node(0);
      BrokerProcess b = cluster.node(1);
      BrokerProcess c = cluster.node(2);
      List<BrokerProcess> survivors = List.of(a, b);
      for (BrokerProcess n : survivors) {
        polls.watch(ready(n), () -> BrokerProcess.readiness(n.httpPort()));
        polls.watch(safe(n), () -> BrokerProcess.clusterSafety(n.httpPort()));
      }
      await("polls before the kill").atMost(Duration.ofSeconds(30))
          .until(() -> survivors.stream()
              .allMatch(n -> polls.of(ready(n)).size() >= 10 && polls.of(safe(n)).size() >= 3));

      long killAt = System.currentTimeMillis();
      Clock.log("SIGKILL " + c);
      c.kill();

      await("/health/cluster-safe of a survivor goes down after the kill").atMost(Duration.ofSeconds(60))
          .until(() -> survivors.stream().anyMatch(n -> firstAfter(polls.of(safe(n)), killAt, false) != null));
      long downAt = survivors.stream().map(n -> firstAfter(polls.of(safe(n)), killAt, false))
          .filter(p -> p != null).mapToLong(HealthPolls.Poll::askedAt).min().orElseThrow();
      await("both survivors report the cluster safe again").atMost(Duration.ofSeconds(120))
          .until(() -> survivors.stream().allMatch(n -> lastIsUp(polls.of(safe(n)), downAt)));
      long safeAgainAt = survivors.stream().mapToLong(n -> safeSince(polls.of(safe(n)))).max().orElseThrow();
      await("readiness watched " + AFTER_SAFE_MILLIS + " ms past the cluster's recovery").atMost(Duration.ofSeconds(30))
          .until(() -> survivors.stream().allMatch(n -> polls.of(ready(n)).stream()
              .anyMatch(p -> p.askedAt() >= safeAgainAt + AFTER_SAFE_MILLIS)));
      polls.close();

      String report = "kill at " + Clock.format(killAt) + "; cluster-safe down from +" + (downAt - killAt)
          + " ms, up again from +" + (safeAgainAt - killAt) + " ms\n"
          + survivors.stream().map(n -> timeline(polls.of(safe(n)), killAt) + timeline(polls.of(ready(n)), killAt))
          .collect(Collectors.joining());
      Clock.log("SurvivorReadinessTest:\n" + report);
      String diagnostics = report + cluster.window(killAt - 1_000, safeAgainAt + AFTER_SAFE_MILLIS, 60);
      for (BrokerProcess n : survivors) {
        List<HealthPolls.Poll> readiness = polls.of(ready(n));
        assertThat(readiness).as("%s: every readiness poll from before the kill on\n%s", n.name(), diagnostics)
            .allSatisfy(p -> assertThat(p.status()).as("%s at %+d ms", ready(n), p.askedAt() - killAt).isEqualTo(200));
        assertThat(readiness.stream().filter(p -> p.askedAt() >= downAt && p.askedAt() <= safeAgainAt))
            .as("%s: readiness polls while the cluster was unsafe\n%s", n.name(), diagnostics).isNotEmpty();
        assertThat(longestGap(readiness)).as("%s: longest gap between readiness polls (ms)\n%s", n.name(), diagnostics)
            .isLessThanOrEqualTo(MAX_POLL_GAP_MILLIS);
      }
      // The node itself said "not safe" (503), not merely a poll that went unanswered.
      assertThat(survivors.stream().flatMap(n -> polls.of(safe(n)).stream()))
          .as("a 503 from /health/cluster-safe after the kill\n%s", diagnostics)
          .anyMatch(p -> p.askedAt() >= killAt && p.status() == 503);
    } finally {
      cluster.close();
    }
  }

  private static String ready(BrokerProcess n) {
    return n.name() + " /health/ready";
  }

  private static String safe(BrokerProcess n) {
    return n.name() + " /health/cluster-safe";
  }

  /** The first poll asked at or after {@code from} that was (or was not) 200; null if none. */
  private static HealthPolls.Poll firstAfter(List<HealthPolls.Poll> polls, long from, boolean up) {
    return polls.stream().filter(p -> p.askedAt() >= from && (p.status() == 200) == up).findFirst().orElse(null);
  }

  private static boolean lastIsUp(List<HealthPolls.Poll> polls, long after) {
    HealthPolls.Poll last = polls.isEmpty() ? null : polls.get(polls.size() - 1);
    return last != null && last.askedAt() > after && last.status() == 200;
  }

  /** When the last run of 200 answers began. */
  private static long safeSince(List<HealthPolls.Poll> polls) {
    long since = Long.MAX_VALUE;
    for (int i = polls.size() - 1; i >= 0 && polls.get(i).status() == 200; i--) {
      since = polls.get(i).askedAt();
    }
    return since;
  }

  private static long longestGap(List<HealthPolls.Poll> polls) {
    long gap = 0;
    for (int i = 1; i < polls.size(); i++) {
      gap = Math.max(gap, polls.get(i).askedAt() - polls.get(i - 1).askedAt());
    }
    return gap;
  }

  /** The endpoint's answers as runs: "200 x12 from -1180 ms, 503 x31 from +412 ms, ...". */
  private static String timeline(List<HealthPolls.Poll> polls, long killAt) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < polls.size()) {
      int j = i;
      while (j < polls.size() && polls.get(j).status() == polls.get(i).status()) {
        j++;
      }
      b.append(b.length() == 0 ? "" : ", ").append(polls.get(i).status()).append(" x").append(j - i)
          .append(String.format(" from %+d ms", polls.get(i).askedAt() - killAt));
      i = j;
    }
    return "  " + (polls.isEmpty() ? "(no polls)" : polls.get(0).endpoint()) + ": " + b + "\n";
  }
}
