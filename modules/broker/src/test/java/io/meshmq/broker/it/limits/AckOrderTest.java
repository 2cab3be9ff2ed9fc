package io.meshmq.broker.it.limits;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PUBACKs leave in the order of the PUBLISHes (MQTT-4.6.0-2) while the broker pushes a publisher back: a burst of
 * pipelined QoS 1 messages, routed to a subscriber that may sit on the other event loop (so that routing completes
 * sometimes at once, sometimes a moment later) and with a pending-route bound of 2 (so that reading pauses and
 * resumes). Both used to let an acknowledgement overtake an earlier one now and then; hence many rounds.
 */
class AckOrderTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void pubacksFollowThePublishOrderUnderPushBack() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PENDING_ROUTES, 2)) {
      for (int round = 0; round < 30; round++) {
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             RawMqttClient pub = RawMqttClient.open(broker.port())) {
          sub.connect(MqttPackets.connect(V5).clientId("order-sub-" + round));
          pub.connect(MqttPackets.connect(V3_1_1).clientId("order-pub-" + round));
          sub.subscribe(1, "order/t", 1);
          sub.expect(SUBACK);
          byte[][] burst = new byte[20][];
          for (int i = 0; i < burst.length; i++) {
            burst[i] = MqttPackets.publish(V3_1_1, "order/t", 1, i + 1, new byte[500]);
          }
          pub.write(burst);
          for (int i = 0; i < burst.length; i++) {
            sub.write(MqttPackets.ack(PUBACK, sub.readPacket(WAIT).packetId()));
          }
          List<Integer> acked = new ArrayList<>();
          for (int i = 0; i < burst.length; i++) {
            acked.add(pub.expect(PUBACK).packetId());
          }
          assertThat(acked).as("round %d", round).isSorted().hasSize(burst.length);
        }
      }
    }
  }
}
