package io.meshmq.broker.it.raw;

import static io.meshmq.broker.it.raw.RawChecks.assertClosed;
import static io.meshmq.broker.it.raw.RawChecks.assertOpen;
import static io.meshmq.broker.it.raw.RawChecks.assertServed;
import static io.meshmq.broker.it.raw.RawChecks.connected;
import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.DISCONNECT;
import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static io.meshmq.broker.test.RawMqttClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** One test per vertx-mqtt shortcoming the broker works around, checked on the wire. */
class VertxMqttWorkaroundTest {

  private BrokerFixture broker;
  private final List<RawMqttClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    for (RawMqttClient c : clients) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** vertx-mqtt issue 121: packets that arrive with the CONNECT, before accept(), used to close the connection. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void packetsPipelinedBehindConnectAreServedInOrder(int version) throws IOException {
    broker = BrokerFixture.start();
    RawMqttClient c = track(RawMqttClient.open(broker.port()));
    c.version(version).write(
        MqttPackets.connect(version).clientId("pipelined").encode(),
        MqttPackets.subscribe(version, 1, "pipe/t", 1),
        MqttPackets.publish(version, "pipe/t", 1, 2, "hello".getBytes(StandardCharsets.UTF_8)));

    Packet connack = c.expect(CONNACK);
    assertThat(connack.reasonCode()).isZero();
    Packet suback = c.expect(SUBACK);
    assertThat(suback.packetId()).isEqualTo(1);
    assertThat(suback.codes()).containsExactly(1);
    List<Packet> got = List.of(c.readPacket(TIMEOUT), c.readPacket(TIMEOUT));
    assertThat(got).anySatisfy(p -> {
      assertThat(p.type()).isEqualTo(PUBACK);
      assertThat(p.packetId()).isEqualTo(2);
    }).anySatisfy(p -> {
      assertThat(p.type()).isEqualTo(PUBLISH);
      assertThat(p.topic()).isEqualTo("pipe/t");
      assertThat(p.payloadText()).isEqualTo("hello");
      assertThat(p.qos()).isEqualTo(1);
    });
    assertOpen(c);
  }

  /**
   * vertx-mqtt throws from publish() and close() on a closed endpoint. A QoS 1 subscriber vanishes (TCP reset)
   * while a publisher floods its topic: the broker must keep serving and log no unhandled exception.
   */
  @Test
  void subscriberVanishingDuringFloodBreaksNothing() throws IOException {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try {
      broker = BrokerFixture.start();
      RawMqttClient sub = track(connected(broker.port(), MqttPackets.connect(V3_1_1).clientId("flood-sub").cleanStart(false)));
      sub.subscribe(1, "flood/t", 1);
      sub.expect(SUBACK);
      RawMqttClient pub = track(connected(broker.port(), V3_1_1, "flood-pub"));

      int total = 2000;
      int chunk = 100;
      for (int first = 1; first <= total; first += chunk) {
        byte[][] batch = new byte[chunk][];
        for (int i = 0; i < chunk; i++) {
          batch[i] = MqttPackets.publish(V3_1_1, "flood/t", 1, first + i, ("m" + (first + i)).getBytes(StandardCharsets.UTF_8));
        }
        pub.write(batch);
        if (first == 301) {
          sub.abort();
        }
      }
      Set<Integer> acked = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (acked.size() < total && System.nanoTime() < deadline) {
        Packet p = pub.readPacket(TIMEOUT);
        assertThat(p.type()).as("%s", p).isEqualTo(PUBACK);
        acked.add(p.packetId());
      }
      assertThat(acked).as("PUBACKs received by the publisher").hasSize(total);
      assertOpen(pub);

      RawMqttClient third = track(connected(broker.port(), V3_1_1, "flood-third"));
      assertServed(third, "flood/third");
      assertServed(pub, "flood/pub");
    } finally {
      root.detachAppender(logs);
    }
    List<String> errors = new ArrayList<>();
    synchronized (logs) {
      for (ILoggingEvent e : logs.list) {
        if (e.getLevel().isGreaterOrEqual(Level.ERROR)
            && (e.getFormattedMessage().contains("Unhandled exception") || hasIllegalArgumentOrState(e.getThrowableProxy()))) {
          errors.add(e.getLoggerName() + ": " + e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : " / " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage()));
        }
      }
    }
    assertThat(errors).as("ERROR events with unhandled IllegalArgumentException / IllegalStateException").isEmpty();
  }

  /** vertx-mqtt calls no disconnect handler when the server closes the connection; the will must still go out. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void connectionClosedByTheBrokerPublishesTheWill(int version) throws IOException {
    broker = BrokerFixture.start();
    RawMqttClient watcher = track(connected(broker.port(), V3_1_1, "will-watcher"));
    watcher.subscribe(1, "will/" + version, 1);
    watcher.expect(SUBACK);

    RawMqttClient bad = track(connected(broker.port(), MqttPackets.connect(version).clientId("will-owner")
        .will("will/" + version, "gone".getBytes(StandardCharsets.UTF_8), 1, false)));
    bad.publish("a/+", 0, 0, "protocol violation");
    assertClosed(bad);

    Packet will = watcher.readPacket(TIMEOUT);
    assertThat(will.type()).as("%s", will).isEqualTo(PUBLISH);
    assertThat(will.topic()).isEqualTo("will/" + version);
    assertThat(will.payloadText()).isEqualTo("gone");
    assertThat(will.qos()).isEqualTo(1);
  }

  /** vertx-mqtt ignores NetServer idle timeouts; the broker closes a silent client after 1.5 x keep-alive. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void silentClientIsClosedAfterOneAndAHalfKeepAlive(int version) throws IOException {
    broker = BrokerFixture.start();
    RawMqttClient c = track(connected(broker.port(), MqttPackets.connect(version).clientId("silent").keepAlive(1)));
    long start = System.nanoTime();
    boolean closed = c.awaitClosed(Duration.ofSeconds(4));
    long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(closed).as("closed within 4 s").isTrue();
    assertThat(elapsedMillis).as("ms until the close (1.5 x 1 s keep-alive)").isBetween(1_400L, 3_000L);
    if (version == V5) {
      assertThat(c.packetsBeforeClose()).as("5.0: at most a DISCONNECT 0x8D").allSatisfy(p -> {
        assertThat(p.type()).isEqualTo(DISCONNECT);
        assertThat(p.reasonCode()).isEqualTo(0x8D);
      });
    } else {
      assertThat(c.packetsBeforeClose()).isEmpty();
    }
    RawMqttClient other = track(connected(broker.port(), V3_1_1, "after-silent"));
    assertServed(other, "keepalive/other");
  }

  /** The counterpart: a client that pings within its 1 s keep-alive stays connected well past 1.5 s. */
  @Test
  void pingingClientWithShortKeepAliveStaysConnected() throws IOException {
    broker = BrokerFixture.start();
    RawMqttClient c = track(connected(broker.port(), MqttPackets.connect(V3_1_1).clientId("pinger").keepAlive(1)));
    for (int i = 0; i < 5; i++) {
      assertOpen(c);
      // The read timeout paces the pings (every ~0.6 s) and proves that nothing, not even a close, arrives.
      assertThat(c.pollPacket(Duration.ofMillis(600))).isNull();
    }
    assertServed(c, "keepalive/pinger");
  }

  /** A 5.0 client asking for no keep-alive gets the broker's maximum as Server Keep Alive, and it is enforced. */
  @Test
  void serverKeepAliveIsEnforcedOnClientAskingForNone() throws IOException {
    broker = BrokerFixture.start(BrokerSettings.MAX_KEEP_ALIVE_SECONDS, 1);
    RawMqttClient c = track(RawMqttClient.open(broker.port()));
    Packet connack = c.connect(MqttPackets.connect(V5).clientId("no-keepalive").keepAlive(0));
    long start = System.nanoTime();
    assertThat(connack.reasonCode()).isZero();
    assertThat(connack.property(0x13)).as("Server Keep Alive").isEqualTo(1);
    boolean closed = c.awaitClosed(Duration.ofSeconds(4));
    long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(closed).as("closed within 4 s").isTrue();
    assertThat(elapsedMillis).as("ms until the close").isBetween(1_400L, 3_000L);
    assertThat(c.packetsBeforeClose()).as("DISCONNECT 0x8D keep-alive timeout").hasSize(1).first().satisfies(p -> {
      assertThat(p.type()).isEqualTo(DISCONNECT);
      assertThat(p.reasonCode()).isEqualTo(0x8D);
    });
  }

  /** vertx-mqtt's decoder allows 23 chars by default and fails the CONNECT silently beyond; the broker does not. */
  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void clientIdOf100CharsIsAccepted(int version) throws IOException {
    broker = BrokerFixture.start();
    RawMqttClient c = track(connected(broker.port(), version, "c".repeat(100)));
    assertServed(c, "long-id/t");
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {V3_1_1, V5})
  void clientIdOverConfiguredMaximumGetsConnackRefusal(int version) throws IOException {
    broker = BrokerFixture.start(BrokerSettings.MAX_CLIENT_ID_LENGTH, 50);
    RawMqttClient atLimit = track(connected(broker.port(), version, "a".repeat(50)));
    assertOpen(atLimit);

    RawMqttClient c = track(RawMqttClient.open(broker.port()));
    Packet connack = c.connect(MqttPackets.connect(version).clientId("b".repeat(51)));
    assertThat(connack.type()).as("%s", connack).isEqualTo(CONNACK);
    assertThat(connack.reasonCode()).as("identifier rejected / client identifier not valid")
        .isEqualTo(version == V5 ? 0x85 : 0x02);
    assertThat(assertClosed(c)).isEmpty();
    assertServed(atLimit, "long-id/at-limit");
  }

  private RawMqttClient track(RawMqttClient c) {
    clients.add(c);
    return c;
  }

  private static boolean hasIllegalArgumentOrState(IThrowableProxy t) {
    for (; t != null; t = t.getCause()) {
      if (t.getClassName().equals(IllegalArgumentException.class.getName())
          || t.getClassName().equals(IllegalStateException.class.getName())) {
        return true;
      }
    }
    return false;
  }
}
