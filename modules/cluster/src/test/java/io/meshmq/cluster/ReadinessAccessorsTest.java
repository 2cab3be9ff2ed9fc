package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the server's readiness and metrics read from a cluster node: membership, safety, routes, draining. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadinessAccessorsTest {

  @Test
  void aNodeReportsItsMembersAndSafetyAndIsDrainingFromTheFirstMomentOfItsStop() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(2)) {
      ClusterNode a = cluster.node(0);
      ClusterNode b = cluster.node(1);
      assertThat(a.memberNodeIds()).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
      await().atMost(Duration.ofSeconds(30)).until(a::isClusterSafe);
      assertThat(a.routeTableSize()).isZero();
      assertThat(b.isDraining()).isFalse();

      Future<Void> stopping = b.stop();
      assertThat(b.isDraining()).as("draining as soon as stop() is called").isTrue();
      assertThat(a.isDraining()).isFalse();
      stopping.await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> a.memberNodeIds().size() == 1);
    }
  }
}
