package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.core.message.Message;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node answers a forwarded message that matches none of its subscriptions (the sender's route table was behind), and
 * counts it: a count that keeps growing tells an operator the route tables disagree.
 */
class UnmatchedForwardTest {

  @Test
  void aForwardedMessageWithNoSubscriberHereIsAnsweredAndCounted() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(2)) {
      ClusterNode a = cluster.node(0);
      ClusterNode b = cluster.node(1);
      assertThat(b.forwardedUnmatched()).isZero();
      Message m = Message.of("nobody/listens", "x".getBytes(StandardCharsets.UTF_8), 1, false);
      DeliveryOptions options = new DeliveryOptions().setCodecName(NodeMessageCodec.NAME).setSendTimeout(10_000);
      a.vertx().eventBus().request(NodeBus.address(b.nodeId()), new Forwarded(1L, m, List.of()), options)
          .await(15, TimeUnit.SECONDS);
      assertThat(b.forwardedUnmatched()).isEqualTo(1);
      assertThat(a.forwardedUnmatched()).isZero();
    }
  }
}
