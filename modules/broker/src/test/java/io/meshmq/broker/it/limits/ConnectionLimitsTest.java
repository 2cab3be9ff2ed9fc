package io.meshmq.broker.it.limits;

import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.sys.Limit;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * mqtt.max-connections and mqtt.max-connect-rate with raw clients: the client over a limit gets a CONNACK with the
 * spec's code and is closed; the clients already connected and the broker carry on; the limit is counted.
 */
class ConnectionLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static RawMqttClient connect(BrokerFixture broker, int version, String clientId, List<RawMqttClient> open)
      throws Exception {
    RawMqttClient c = RawMqttClient.open(broker.port());
    open.add(c);
    Packet connack = c.connect(MqttPackets.connect(version).clientId(clientId));
    assertThat(connack.type()).isEqualTo(CONNACK);
    return c;
  }

  private static Packet connack(BrokerFixture broker, int version, String clientId, List<RawMqttClient> open)
      throws Exception {
    RawMqttClient c = RawMqttClient.open(broker.port());
    open.add(c);
    return c.connect(MqttPackets.connect(version).clientId(clientId));
  }

  private static long reached(BrokerFixture broker, Limit limit) {
    return broker.broker().node().stats().limitReachedCounter(limit).sum();
  }

  @Test
  void aConnectBeyondMaxConnectionsIsRefusedWithQuotaExceededOrServerUnavailable() throws Exception {
    List<RawMqttClient> open = new ArrayList<>();
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_CONNECTIONS, 2, BrokerSettings.MAX_CONNECT_RATE, 0)) {
      assertThat(connack(broker, V5, "first", open).reasonCode()).isZero();
      RawMqttClient first = open.get(0);
      assertThat(connack(broker, V3_1_1, "second", open).reasonCode()).isZero();

      RawMqttClient third5 = RawMqttClient.open(broker.port());
      open.add(third5);
      assertThat(third5.connect(MqttPackets.connect(V5).clientId("third-5")).reasonCode()).as("MQTT 5: quota exceeded")
          .isEqualTo(0x97);
      assertThat(third5.awaitClosed(WAIT)).isTrue();
      assertThat(connack(broker, V3_1_1, "third-3", open).reasonCode()).as("3.1.1: server unavailable").isEqualTo(0x03);
      assertThat(reached(broker, Limit.MAX_CONNECTIONS)).isEqualTo(2);

      // The connected clients were not disturbed.
      first.ping().expect(MqttPackets.PINGRESP);

      // A place freed is a place taken.
      first.write(MqttPackets.disconnect(V5, 0));
      assertThat(first.awaitClosed(WAIT)).isTrue();
      await().atMost(WAIT).until(() -> broker.broker().node().admission().admitted() == 1);
      assertThat(connack(broker, V5, "fourth", open).reasonCode()).isZero();
      assertThat(broker.broker().node().stats().clientsConnected.sum()).isEqualTo(2);
    } finally {
      for (RawMqttClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void aRefusedOrClosedConnectionGivesItsPlaceBack() throws Exception {
    List<RawMqttClient> open = new ArrayList<>();
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_CONNECTIONS, 1, BrokerSettings.MAX_CONNECT_RATE, 0)) {
      for (int i = 0; i < 5; i++) {
        RawMqttClient c = connect(broker, V5, "cycle-" + i, open);
        c.abort(); // connection loss, no DISCONNECT
        await().atMost(WAIT).until(() -> broker.broker().node().admission().admitted() == 0);
      }
      assertThat(connack(broker, V5, "last", open).reasonCode()).isZero();
      assertThat(reached(broker, Limit.MAX_CONNECTIONS)).isZero();
    } finally {
      for (RawMqttClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void connectsBeyondTheRateAreRefusedWithConnectionRateExceeded() throws Exception {
    List<RawMqttClient> open = new ArrayList<>();
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_CONNECT_RATE, 1)) {
      int accepted = 0;
      int refused5 = 0;
      int refused3 = 0;
      long start = System.nanoTime();
      for (int i = 0; i < 12; i++) {
        int version = i % 2 == 0 ? V5 : V3_1_1;
        int code = connack(broker, version, "storm-" + i, open).reasonCode();
        if (code == 0) {
          accepted++;
        } else if (version == V5) {
          assertThat(code).as("MQTT 5: connection rate exceeded").isEqualTo(0x9F);
          refused5++;
        } else {
          assertThat(code).as("3.1.1: server unavailable").isEqualTo(0x03);
          refused3++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      // A burst of 1, then 1 per second: never more than that, whatever the speed of this machine.
      assertThat(accepted).isBetween(1, 1 + (int) Math.ceil(seconds));
      assertThat(refused5 + refused3).isEqualTo(12 - accepted);
      assertThat(reached(broker, Limit.CONNECT_RATE)).isEqualTo(refused5 + refused3);
      assertThat(refused5).as("some MQTT 5 refusals (12 connects in %.2f s)", seconds).isPositive();
      assertThat(refused3).as("some 3.1.1 refusals (12 connects in %.2f s)", seconds).isPositive();

      // Once the bucket has refilled, clients get in again.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(600))
          .until(() -> connack(broker, V5, "later", open).reasonCode() == 0);
    } finally {
      for (RawMqttClient c : open) {
        c.close();
      }
    }
  }
}
