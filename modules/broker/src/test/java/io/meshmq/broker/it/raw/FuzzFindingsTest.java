package io.meshmq.broker.it.raw;

import static io.meshmq.broker.it.raw.RawChecks.assertServed;
import static io.meshmq.broker.it.raw.RawChecks.connected;
import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.PINGRESP;
import static io.meshmq.broker.test.MqttPackets.PUBREL;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static io.meshmq.broker.test.RawMqttClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.LogCapture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for what BrokerFuzzTest found: each input once let an exception escape its connection (Netty's
 * "reached at the tail of the pipeline" warning, Vert.x's "Unhandled exception") or left the connection and its
 * session behind. Now the connection alone is closed, its close is seen by the broker, and nothing is logged as
 * an error.
 */
class FuzzFindingsTest {

  private BrokerFixture broker;
  private LogCapture log;
  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    log = LogCapture.open();
    broker = BrokerFixture.start();
    broker.vertx().exceptionHandler(escaped::add);
  }

  @AfterEach
  void stop() {
    broker.close();
    log.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {CONNACK, SUBACK, PINGRESP})
  void packetOnlyAServerSendsClosesTheConnection(int type) throws Exception {
    try (RawMqttClient bad = connected(broker.port(), V5, "server-only-" + type)) {
      bad.write(MqttPackets.packet(type, 0, type == PINGRESP ? new byte[0] : MqttPackets.bytes(0, 1, 0)));
      assertThat(bad.awaitClosed(TIMEOUT)).isTrue();
    }
    assertCleanlyClosedAndServing();
  }

  @ParameterizedTest
  @ValueSource(ints = {0x55, 0xFF})
  void unknownReasonCodeClosesTheConnection(int reasonCode) throws Exception {
    try (RawMqttClient bad = connected(broker.port(), V5, "bad-reason-" + reasonCode)) {
      bad.write(MqttPackets.ack(PUBREL, 7, reasonCode, null));
      assertThat(bad.awaitClosed(TIMEOUT)).isTrue();
    }
    assertCleanlyClosedAndServing();
  }

  @ParameterizedTest
  @ValueSource(ints = {V3_1_1, V5})
  void secondConnectWithAnUnknownProtocolLevelClosesTheConnectionAndEndsTheSession(int version) throws Exception {
    try (RawMqttClient bad = connected(broker.port(), version, "second-connect")) {
      byte[] secondConnect = MqttPackets.connect(version).clientId("second-connect").encode();
      secondConnect[8] = 9; // protocol level after the fixed header and "MQTT"
      bad.write(secondConnect);
      assertThat(bad.awaitClosed(TIMEOUT)).isTrue();
    }
    // The broker saw the close: the connection is gone and the clean session with it.
    await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().node().sessions().get("second-connect") == null);
    assertCleanlyClosedAndServing();
  }

  private void assertCleanlyClosedAndServing() throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().node().stats().clientsConnected.sum() == 0);
    try (RawMqttClient good = connected(broker.port(), V3_1_1, "good")) {
      assertServed(good, "still/served");
    }
    assertThat(escaped).isEmpty();
    assertThat(log.problems()).isEmpty();
  }
}
