package io.meshmq.broker.it.durability;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.PUBREC;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.Broker;
import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.retained.InMemoryRetainedStore;
import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import io.meshmq.core.message.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a publisher is told when a persistent session it published to could not put the message on record (in a
 * cluster: the node lost Hazelcast under it). The message is not acknowledged as delivered: MQTT 5 gets PUBACK or
 * PUBREC 0x80 (and a QoS 2 packet id is free again), MQTT 3.1.1 has its connection closed without the
 * acknowledgement, so that the client sends the message again. The session store here fails every write.
 */
class UnsafeDeliveryTest {

  private Vertx vertx;
  private Broker broker;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Settings settings = Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.SYS_INTERVAL_SECONDS, 0);
    broker = Broker.start(vertx, settings, new InMemoryRetainedStore(), new StoreThatCannotWrite(),
        Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    broker.stop().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private RawMqttClient connect(int version, String clientId, boolean clean) throws Exception {
    RawMqttClient c = RawMqttClient.open(broker.mqttPort());
    assertThat(c.connect(MqttPackets.connect(version).clientId(clientId).cleanStart(clean)).reasonCode()).isZero();
    return c;
  }

  /** A persistent (MQTT 3.1.1, clean session 0) subscriber of the topic: its QoS 1/2 messages go to the store. */
  private RawMqttClient persistentSubscriber(String topic) throws Exception {
    RawMqttClient sub = connect(V3_1_1, "keeper", false);
    sub.subscribe(1, topic, 2);
    assertThat(sub.expect(SUBACK).codes()).containsExactly(2);
    return sub;
  }

  @Test
  void anMqtt5PublisherGetsUnspecifiedErrorForQos1AndQos2() throws Exception {
    try (RawMqttClient sub = persistentSubscriber("unsafe/5");
         RawMqttClient pub = connect(V5, "pub-5", true)) {
      pub.publish("unsafe/5", 1, 1, "q1");
      Packet puback = pub.expect(PUBACK);
      assertThat(puback.packetId()).isEqualTo(1);
      assertThat(puback.reasonCode()).isEqualTo(0x80);

      pub.publish("unsafe/5", 2, 2, "q2");
      Packet pubrec = pub.expect(PUBREC);
      assertThat(pubrec.reasonCode()).isEqualTo(0x80);
      // The id is free: the same id again is a new message (routed, refused again), not a duplicate (0x00).
      pub.publish("unsafe/5", 2, 2, "q2 again");
      assertThat(pub.expect(PUBREC).reasonCode()).isEqualTo(0x80);
      assertThat(broker.node().stats().publishNotSafe.sum()).isEqualTo(3);
      // The subscriber is online: it got them all the same (at least once); only their safety was not promised.
      assertThat(sub.expect(PUBLISH).payloadText()).isEqualTo("q1");
    }
  }

  @Test
  void anMqtt311PublisherIsDisconnectedWithoutItsAcknowledgement() throws Exception {
    try (RawMqttClient sub = persistentSubscriber("unsafe/3");
         RawMqttClient pub = connect(V3_1_1, "pub-3", true)) {
      pub.publish("unsafe/3", 1, 7, "q1");
      assertThat(pub.awaitClosed(Duration.ofSeconds(5))).as("connection closed").isTrue();
      assertThat(pub.packetsBeforeClose()).as("no PUBACK before the close").noneMatch(p -> p.type() == PUBACK);
      assertThat(broker.node().stats().publishNotSafe.sum()).isEqualTo(1);
    }
  }

  @Test
  void aCleanSessionSubscriberNeedsNoRecordAndThePublisherIsAcknowledged() throws Exception {
    try (RawMqttClient sub = connect(V3_1_1, "clean-sub", true);
         RawMqttClient pub = connect(V5, "pub-clean", true)) {
      sub.subscribe(1, "safe/t", 1);
      sub.expect(SUBACK);
      pub.publish("safe/t", 1, 1, "fine");
      assertThat(pub.expect(PUBACK).reasonCode()).isZero();
    }
  }

  /** A standalone node's cluster link whose session store fails every write (a node whose Hazelcast is gone). */
  private static final class StoreThatCannotWrite extends ClusterLink.Standalone {
    @Override
    public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
      return Future.failedFuture(new IllegalStateException("the store cannot write"));
    }
  }
}
