package io.meshmq.broker.it.slow;

import static io.meshmq.broker.config.BrokerSettings.MAX_INFLIGHT;
import static io.meshmq.broker.config.BrokerSettings.MAX_QUEUED_MESSAGES;
import static io.meshmq.broker.config.BrokerSettings.SLOW_CONSUMER_MAX_STALLED_SECONDS;
import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.PushBackExchange;
import io.meshmq.broker.test.RawMqttClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connected subscriber whose queue is full holds its publishers back instead of making the broker drop what it
 * acknowledged: the publisher's PUBACKs wait for room, and come as the subscriber catches up.
 */
class PushBackTest {

  private static final int WINDOW = 2;
  private static final int QUEUE = 10;
  /** Two in flight, ten queued, eight waiting (at most a queue's worth may wait). */
  private static final int MESSAGES = 20;

  @Test
  void aFullQueueWithholdsThePublishersAcknowledgementUntilThereIsRoom() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(MAX_INFLIGHT, WINDOW, MAX_QUEUED_MESSAGES, QUEUE,
        SLOW_CONSUMER_MAX_STALLED_SECONDS, 600);
         RawMqttClient sub = RawMqttClient.open(broker.port());
         RawMqttClient pub = RawMqttClient.open(broker.port())) {
      BrokerStats stats = broker.broker().node().stats();
      sub.connect(MqttPackets.connect(V3_1_1).clientId("behind"));
      sub.subscribe(1, "pb/#", 1);
      sub.expect(SUBACK);
      pub.connect(MqttPackets.connect(V3_1_1).clientId("pb-pub"));
      // Two in flight, ten queued: twelve PUBACKs until the subscriber takes some, then the rest as it does.
      PushBackExchange.run(pub, sub, "pb/t", WINDOW, QUEUE, MESSAGES);
      assertThat(stats.droppedQueueFull.sum()).isZero();
      assertThat(stats.slowConsumerDisconnects.sum()).isZero();
    }
  }

  @Test
  void aSubscriberThatStaysBehindIsDisconnectedAndThePublisherCarriesOn() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(MAX_INFLIGHT, WINDOW, MAX_QUEUED_MESSAGES, QUEUE,
        SLOW_CONSUMER_MAX_STALLED_SECONDS, 2);
         RawMqttClient sub = RawMqttClient.open(broker.port());
         RawMqttClient pub = RawMqttClient.open(broker.port())) {
      BrokerStats stats = broker.broker().node().stats();
      // Never acknowledged by the subscriber: after 2 s of holding the publisher back it is disconnected, and every
      // PUBACK reaches the publisher.
      stallUntilDisconnected(sub, MqttPackets.connect(V3_1_1).clientId("stays-behind"), pub, "pb-pub2");
      await().atMost(Duration.ofSeconds(5)).until(() -> stats.slowConsumerDisconnects.sum() == 1);
      assertThat(sub.awaitClosed(Duration.ofSeconds(5))).isTrue();
      pub.publish("pb/after", 1, 99, "after");
      assertThat(pub.expect(PUBACK).packetId()).isEqualTo(99);
      // Its session ended with the connection (clean start): each of the 20 is counted once as dropped for want of a
      // session, whether it was in flight (2), queued (10) or still waiting for room (8).
      assertThat(stats.droppedNoSession.sum()).isEqualTo(MESSAGES);
      assertThat(stats.droppedQueueFull.sum()).isZero();
    }
  }

  @Test
  void aPersistentSubscriberDisconnectedForStayingBehindKeepsWhatItsQueueHoldsAndTheRestIsCountedOnce()
      throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(MAX_INFLIGHT, WINDOW, MAX_QUEUED_MESSAGES, QUEUE,
        SLOW_CONSUMER_MAX_STALLED_SECONDS, 2);
         RawMqttClient sub = RawMqttClient.open(broker.port());
         RawMqttClient pub = RawMqttClient.open(broker.port())) {
      BrokerStats stats = broker.broker().node().stats();
      stallUntilDisconnected(sub, MqttPackets.connect(V3_1_1).clientId("stays-behind-persistent").cleanStart(false),
          pub, "pb-pub3");
      assertThat(sub.awaitClosed(Duration.ofSeconds(5))).isTrue();
      // The session lives on offline with its in-flight window (2) and its full queue (10); the 8 that waited for
      // room find none and are counted once, as dropped on a full queue: the queue's bound, not an overload loss
      // while the subscriber was there to push back on.
      assertThat(stats.droppedQueueFull.sum()).isEqualTo(MESSAGES - WINDOW - QUEUE);
      assertThat(stats.droppedNoSession.sum()).isZero();

      try (RawMqttClient again = RawMqttClient.open(broker.port())) {
        assertThat(again.connect(MqttPackets.connect(V3_1_1).clientId("stays-behind-persistent").cleanStart(false))
            .sessionPresent()).isTrue();
        List<String> received = new ArrayList<>();
        for (RawMqttClient.Packet p; (p = again.pollPacket(Duration.ofMillis(1500))) != null; ) {
          if (p.type() == MqttPackets.PUBLISH) {
            received.add(p.payloadText());
            again.write(MqttPackets.ack(PUBACK, p.packetId()));
          }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= WINDOW + QUEUE; i++) {
          expected.add("m" + i);
        }
        assertThat(received).containsExactlyElementsOf(expected);
      }
    }
  }

  /**
   * The subscriber subscribes and then takes nothing; the publisher sends {@value #MESSAGES} QoS 1 messages, and
   * gets every PUBACK, once, as the broker gives up on the subscriber.
   */
  private static void stallUntilDisconnected(RawMqttClient sub, MqttPackets.Connect connect, RawMqttClient pub,
                                             String publisherId) throws Exception {
    sub.connect(connect);
    sub.subscribe(1, "pb/#", 1);
    sub.expect(SUBACK);
    pub.connect(MqttPackets.connect(V3_1_1).clientId(publisherId));
    for (int i = 1; i <= MESSAGES; i++) {
      pub.publish("pb/t", 1, i, "m" + i);
    }
    List<Integer> acked = new ArrayList<>();
    while (acked.size() < MESSAGES) {
      acked.add(pub.readPacket(Duration.ofSeconds(10)).packetId());
    }
    assertThat(acked).doesNotHaveDuplicates();
  }
}
