package io.meshmq.cluster;

import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.PushBackExchange;
import io.meshmq.broker.test.RawMqttClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A subscriber on node B whose queue is full holds back a publisher on node A: A's PUBACKs wait for B's answers,
 * which wait for room, so nothing acknowledged is dropped on B.
 */
class CrossNodePushBackTest {

  private static final int WINDOW = 2;
  private static final int QUEUE = 10;
  private static final int MESSAGES = 20;

  @Test
  void aFullQueueOnAnotherNodeWithholdsThePublishersAcknowledgement() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.start(2, BrokerSettings.MAX_INFLIGHT, WINDOW,
        BrokerSettings.MAX_QUEUED_MESSAGES, QUEUE, BrokerSettings.SLOW_CONSUMER_MAX_STALLED_SECONDS, 600);
         RawMqttClient sub = RawMqttClient.open(cluster.node(1).mqttPort());
         RawMqttClient pub = RawMqttClient.open(cluster.node(0).mqttPort())) {
      sub.connect(MqttPackets.connect(V3_1_1).clientId("far-behind"));
      sub.subscribe(1, "xpb/#", 1);
      sub.expect(SUBACK);
      await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.node(0).routes().remoteNodes("xpb/t").isEmpty());
      pub.connect(MqttPackets.connect(V3_1_1).clientId("xpb-pub"));
      // Two in flight and ten queued on node B: twelve PUBACKs on node A until the subscriber takes some.
      PushBackExchange.run(pub, sub, "xpb/t", WINDOW, QUEUE, MESSAGES);
      assertThat(cluster.node(1).broker().node().stats().droppedQueueFull.sum()).isZero();
    }
  }
}
