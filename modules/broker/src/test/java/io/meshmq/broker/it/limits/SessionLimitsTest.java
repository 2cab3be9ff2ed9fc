package io.meshmq.broker.it.limits;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static io.meshmq.broker.test.MqttPackets.filter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.broker.sys.Limit;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-session bounds with raw clients: subscriptions per client and the bytes of the session queue. */
class SessionLimitsTest {

  private static final Duration QUIET = Duration.ofMillis(500);

  private static RawMqttClient connect(BrokerFixture broker, int version, String clientId, boolean clean) throws Exception {
    RawMqttClient c = RawMqttClient.open(broker.port());
    Packet connack = c.connect(MqttPackets.connect(version).clientId(clientId).cleanStart(clean));
    assertThat(connack.reasonCode()).isZero();
    return c;
  }

  private static int[] subscribe(RawMqttClient c, int packetId, String... filters) throws Exception {
    MqttPackets.Filter[] fs = new MqttPackets.Filter[filters.length];
    for (int i = 0; i < filters.length; i++) {
      fs[i] = filter(filters[i], 1);
    }
    c.write(MqttPackets.subscribe(c.version(), packetId, 0, fs));
    Packet suback = c.expect(SUBACK);
    assertThat(suback.packetId()).isEqualTo(packetId);
    return suback.codes();
  }

  @Test
  void filtersBeyondMaxSubscriptionsGetQuotaExceededInV5And0x80InV3() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_SUBSCRIPTIONS_PER_CLIENT, 3);
         RawMqttClient v5 = connect(broker, V5, "subs-5", true);
         RawMqttClient v3 = connect(broker, V3_1_1, "subs-3", true)) {
      assertThat(subscribe(v5, 1, "a/1", "a/2")).containsExactly(1, 1);
      // The third fits; the fourth and fifth do not; a filter it already has is a replacement, not one more.
      assertThat(subscribe(v5, 2, "a/3", "a/4", "a/1", "$share/g/a/5")).containsExactly(1, 0x97, 1, 0x97);
      assertThat(broker.broker().node().sessions().get("subs-5").subscriptionCount()).isEqualTo(3);

      assertThat(subscribe(v3, 1, "b/1", "b/2", "b/3", "b/4")).containsExactly(1, 1, 1, 0x80);
      assertThat(broker.broker().node().stats().limitReachedCounter(Limit.MAX_SUBSCRIPTIONS).sum()).isEqualTo(3);

      // Unsubscribing frees a place; the client stays connected throughout.
      v5.write(MqttPackets.unsubscribe(V5, 3, "a/2"));
      v5.expect(MqttPackets.UNSUBACK);
      assertThat(subscribe(v5, 4, "a/4")).containsExactly(1);
    }
  }

  @Test
  void anOfflineSessionQueueStopsAtMaxQueuedBytesAndKeepsWhatItAccepted() throws Exception {
    // "qb/t" + 196 payload bytes = 200 bytes per message: 5 fit in 1000.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_QUEUED_BYTES, 1000,
        BrokerSettings.MAX_QUEUED_MESSAGES, 100)) {
      BrokerStats stats = broker.broker().node().stats();
      try (RawMqttClient sub = connect(broker, V3_1_1, "bytes-sub", false)) {
        assertThat(subscribe(sub, 1, "qb/t")).containsExactly(1);
        sub.write(MqttPackets.disconnect(V3_1_1, 0));
        assertThat(sub.awaitClosed(Duration.ofSeconds(5))).isTrue();
      }
      // The socket closes before the session hears of it: a message routed in between would go out on the dead
      // connection and stay in flight (kept, not queued), and the queue bound would not be reached as counted here.
      await().atMost(Duration.ofSeconds(5)).until(() -> !broker.broker().node().sessions().get("bytes-sub").isOnline());
      List<String> sent = new ArrayList<>();
      try (RawMqttClient pub = connect(broker, V3_1_1, "bytes-pub", true)) {
        for (int i = 0; i < 7; i++) {
          String payload = String.format("%03d", i) + "x".repeat(193);
          sent.add(payload);
          pub.publish("qb/t", 1, i + 1, payload);
          assertThat(pub.expect(PUBACK).packetId()).as("the publisher is acknowledged").isEqualTo(i + 1);
        }
      }
      assertThat(stats.droppedQueueFull.sum()).isEqualTo(2);
      assertThat(stats.limitReachedCounter(Limit.MAX_QUEUED_BYTES).sum()).isEqualTo(2);
      assertThat(stats.limitReachedCounter(Limit.MAX_QUEUED_MESSAGES).sum()).isZero();

      try (RawMqttClient sub = connect(broker, V3_1_1, "bytes-sub", false)) {
        for (int i = 0; i < 5; i++) {
          Packet p = sub.expect(PUBLISH);
          assertThat(p.payloadText()).isEqualTo(sent.get(i));
          sub.write(MqttPackets.ack(PUBACK, p.packetId()));
        }
        assertThat(sub.pollPacket(QUIET)).as("the two refused messages never come").isNull();
      }
    }
  }
}
