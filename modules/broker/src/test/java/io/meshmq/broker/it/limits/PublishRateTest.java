package io.meshmq.broker.it.limits;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.broker.sys.Limit;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The per-client publish rate pushes back: a publisher that sends faster is read more slowly, and every one of its
 * messages is still acknowledged and delivered, in order. Raw clients, so that the publisher can pipeline a burst
 * the broker has to hold back. The elapsed time is checked against a generous lower bound only: that the limit
 * holds, not how fast anything is.
 */
class PublishRateTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aPublisherOverMaxPublishRateIsSlowedDownNotDisconnectedAndLosesNothing() throws Exception {
    // A burst of 20, then 20 per second: 60 messages take at least 2 s.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PUBLISH_RATE, 20)) {
      double seconds = publishAndReceive(broker, 60, 20);
      assertThat(seconds).as("60 messages at 20/s after a burst of 20").isGreaterThan(1.5);
      BrokerStats stats = broker.broker().node().stats();
      assertThat(stats.limitReachedCounter(Limit.PUBLISH_RATE).sum()).isPositive();
      assertThat(stats.limitReachedCounter(Limit.PUBLISH_BYTES_RATE).sum()).isZero();
      assertThat(stats.publishThrottledNanos.sum()).isGreaterThan(1_000_000_000L);
    }
  }

  @Test
  void aPublisherOverMaxPublishBytesRateIsSlowedDownNotDisconnectedAndLosesNothing() throws Exception {
    // 20 messages of 500 bytes (topic + payload) at 2,000 bytes/s after a burst of 2,000: at least 4 s.
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PUBLISH_BYTES_RATE, 2000)) {
      double seconds = publishAndReceive(broker, 20, 500);
      assertThat(seconds).as("10,000 bytes at 2,000 B/s after a burst of 2,000").isGreaterThan(3.0);
      BrokerStats stats = broker.broker().node().stats();
      assertThat(stats.limitReachedCounter(Limit.PUBLISH_BYTES_RATE).sum()).isPositive();
      assertThat(stats.limitReachedCounter(Limit.PUBLISH_RATE).sum()).isZero();
    }
  }

  @Test
  void otherClientsAreNotSlowedByAThrottledOne() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_PUBLISH_RATE, 1);
         RawMqttClient slow = connect(broker, V3_1_1, "slow-pub");
         RawMqttClient other = connect(broker, V5, "other")) {
      for (int i = 1; i <= 5; i++) {
        slow.publish("slow/t", 1, i, "m" + i); // 4 of them wait for about 4 s
      }
      // Meanwhile another client is served at once: one message is within its own burst.
      other.publish("other/t", 1, 1, "x");
      Packet ack = other.readPacket(Duration.ofSeconds(2));
      assertThat(ack.type()).isEqualTo(PUBACK);
      other.ping().expect(MqttPackets.PINGRESP);
      for (int i = 1; i <= 5; i++) {
        assertThat(slow.readPacket(WAIT).packetId()).isEqualTo(i);
      }
    }
  }

  /** Subscribes, pipelines {@code count} QoS 1 messages of {@code size} bytes, returns the seconds until all were received. */
  private static double publishAndReceive(BrokerFixture broker, int count, int size) throws Exception {
    String topic = "rate/t";
    try (RawMqttClient sub = connect(broker, V5, "rate-sub");
         RawMqttClient pub = connect(broker, V3_1_1, "rate-pub")) {
      sub.subscribe(1, topic, 1);
      sub.expect(SUBACK);
      long start = System.nanoTime();
      byte[][] packets = new byte[count][];
      for (int i = 0; i < count; i++) {
        byte[] payload = String.format("%05d", i).concat("p".repeat(size - topic.length() - 5)).getBytes(StandardCharsets.UTF_8);
        packets[i] = MqttPackets.publish(V3_1_1, topic, 1, i + 1, payload);
      }
      pub.write(packets);
      for (int i = 0; i < count; i++) {
        Packet p = sub.readPacket(WAIT);
        assertThat(p.type()).isEqualTo(PUBLISH);
        assertThat(p.payloadText()).startsWith(String.format("%05d", i));
        sub.write(MqttPackets.ack(PUBACK, p.packetId()));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      for (int i = 0; i < count; i++) {
        Packet ack = pub.readPacket(WAIT);
        assertThat(ack.type()).isEqualTo(PUBACK);
        assertThat(ack.packetId()).as("PUBACKs in the order of the PUBLISHes").isEqualTo(i + 1);
      }
      pub.ping().expect(MqttPackets.PINGRESP);
      return seconds;
    }
  }

  private static RawMqttClient connect(BrokerFixture broker, int version, String clientId) throws Exception {
    RawMqttClient c = RawMqttClient.open(broker.port());
    assertThat(c.connect(MqttPackets.connect(version).clientId(clientId)).reasonCode()).isZero();
    return c;
  }
}
