package io.meshmq.broker.it.limits;

import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.DISCONNECT;
import static io.meshmq.broker.test.MqttPackets.PUBREC;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * When the broker ends a connection, the reason reaches a client that is still sending: the client's writes keep
 * succeeding (no TCP reset), and it reads the DISCONNECT or refusing CONNACK, then the end of the stream. A raw
 * client keeps writing from a thread of its own and reads only once it has written plenty past the broker's
 * decision, which is when a reset, had the broker closed at once, would have destroyed what was not yet read.
 */
class CleanDisconnectTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Far more than the broker needs to decide; a reset would have come long before. */
  private static final int PACKETS_AFTER = 20_000;
  private static final byte[] PAYLOAD = {1};

  @Test
  void aClientStillWritingAfterBreakingReceiveMaximumReadsDisconnect0x93ThenEndOfStream() throws Exception {
    try (BrokerFixture broker = lingering(BrokerSettings.RECEIVE_MAXIMUM, 2);
         RawMqttClient c = RawMqttClient.open(broker.port())) {
      assertThat(c.connect(MqttPackets.connect(V5).clientId("keeps-writing")).reasonCode()).isZero();
      c.write(MqttPackets.publish(V5, "rm/t", 2, 1, PAYLOAD));
      assertThat(c.expect(PUBREC).packetId()).isEqualTo(1);
      c.write(MqttPackets.publish(V5, "rm/t", 2, 2, PAYLOAD));
      assertThat(c.expect(PUBREC).packetId()).isEqualTo(2);
      // Ids 1 and 2 are never released: from id 3 on, every QoS 2 PUBLISH is beyond the Receive Maximum.
      keepsWritingThenReads(c, n -> MqttPackets.publish(V5, "rm/t", 2, 3 + n % 60_000, PAYLOAD), DISCONNECT, 0x93);
    }
  }

  @Test
  void aClientPipeliningBehindARefusedConnectReadsTheConnackThenEndOfStream() throws Exception {
    try (BrokerFixture broker = lingering(BrokerSettings.ALLOW_ZERO_LENGTH_CLIENT_ID, false);
         RawMqttClient c = RawMqttClient.open(broker.port())) {
      c.version(V5).write(MqttPackets.connect(V5).clientId("").encode());
      // Packets behind a CONNECT wait unread until the CONNACK: closing over them would reset the connection.
      // 0x85: client identifier not valid.
      keepsWritingThenReads(c, n -> MqttPackets.publish(V5, "after/refusal", 0, 0, PAYLOAD), CONNACK, 0x85);
    }
  }

  @Test
  void aClientStillWritingAfterAnOversizedPacketReadsDisconnect0x95ThenEndOfStream() throws Exception {
    // A decoding error: Vert.x closes the channel after every exception, which must wait for the linger too.
    try (BrokerFixture broker = lingering(BrokerSettings.MAX_PACKET_SIZE, 1024);
         RawMqttClient c = RawMqttClient.open(broker.port())) {
      assertThat(c.connect(MqttPackets.connect(V5).clientId("too-large")).reasonCode()).isZero();
      c.write(MqttPackets.publish(V5, "big/t", 0, 0, new byte[2048]));
      keepsWritingThenReads(c, n -> MqttPackets.publish(V5, "small/t", 0, 0, PAYLOAD), DISCONNECT, 0x95);
    }
  }

  @Test
  void withoutLingerTheBrokerStillSendsTheReasonFirst() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.ALLOW_ZERO_LENGTH_CLIENT_ID, false,
        BrokerSettings.CLOSE_LINGER_MILLIS, 0);
         RawMqttClient c = RawMqttClient.open(broker.port())) {
      Packet connack = c.connect(MqttPackets.connect(V5).clientId(""));
      assertThat(connack.reasonCode()).isEqualTo(0x85);
      assertThat(c.awaitClosed(WAIT)).isTrue();
    }
  }

  private static BrokerFixture lingering(Object setting, Object value) {
    return BrokerFixture.start(setting, value, BrokerSettings.CLOSE_LINGER_MILLIS, 30_000);
  }

  /**
   * The client keeps writing {@code packet}s; once it has written plenty with no failed write, it reads the broker's
   * last packet (of this type and reason code), then the end of the stream, not a reset.
   */
  private static void keepsWritingThenReads(RawMqttClient c, IntFunction<byte[]> packet, int type, int reasonCode)
      throws Exception {
    try (Writer writer = Writer.start(c, packet)) {
      writer.awaitWritten(PACKETS_AFTER);
      Packet last = c.readPacket(WAIT);
      assertThat(last.type()).as("%s", last).isEqualTo(type);
      assertThat(last.reasonCode()).isEqualTo(reasonCode);
      assertThatThrownBy(() -> c.readPacket(WAIT)).as("then the end of the stream").isInstanceOf(EOFException.class);
    }
  }

  /** Writes packets back to back on a thread of its own until closed or a write fails. */
  private static final class Writer implements AutoCloseable {
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private Thread thread;

    static Writer start(RawMqttClient client, IntFunction<byte[]> packet) {
      Writer w = new Writer();
      w.thread = new Thread(() -> {
        try {
          while (!w.stopped) {
            client.write(packet.apply(w.written.get()));
            w.written.incrementAndGet();
          }
        } catch (IOException e) {
          w.failure.set(e);
        }
      }, "clean-disconnect-writer");
      w.thread.setDaemon(true);
      w.thread.start();
      return w;
    }

    /** Waits until {@code n} packets are written; fails if a write failed first (a reset, or a closed socket). */
    void awaitWritten(int n) {
      await().atMost(WAIT).until(() -> written.get() >= n || failure.get() != null);
      assertThat(failure.get()).as("a write failed after %d packets", written.get()).isNull();
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.join(WAIT.toMillis());
    }
  }
}
