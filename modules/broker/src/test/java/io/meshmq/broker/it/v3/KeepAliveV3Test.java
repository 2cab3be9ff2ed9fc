package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keep-alive of MQTT 3.1.1 connections: 1.5 x the keep-alive without a packet closes the connection. */
class KeepAliveV3Test extends V3TestSupport {

  @Test
  void silentClientIsDisconnectedAfterOneAndAHalfTimesItsKeepAlive() throws Exception {
    startBroker();
    RawClient raw = raw();
    raw.connectAccepted("silent", true, 1, null);
    long connectedAt = System.nanoTime();

    // Not before the keep-alive itself has passed (the spec grants 1.5 x)...
    assertThat(raw.read(900)).as("nothing is sent to a silent client").isNull();
    // ...but well within a few seconds.
    assertThat(raw.awaitClosed(4000)).as("closed by the broker within 4 s").isTrue();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt);
    assertThat(elapsedMillis).isBetween(1000L, 4000L);
    awaitNoSession("silent");
    assertThat(broker.broker().node().stats().clientsConnected.sum()).isZero();
  }

  @Test
  void sweepStillReachesConnectionsMovedIntoTheGapOfOnesThatLeft() throws Exception {
    // Each event loop keeps its connections in a list and fills the gap a leaving connection makes with its
    // last one: those moved connections must still be timed out, and the gaps must not close anyone else.
    startBroker();
    List<RawClient> silent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      RawClient r = raw();
      r.connectAccepted("sweep-" + i, true, 1, null);
      silent.add(r);
    }
    RawClient forever = raw();
    forever.connectAccepted("sweep-forever", true, 0, null);
    // Leave from the front, the middle and the end of the loops' lists (both loops get some of them).
    for (int i : new int[] {0, 3, 4, 7}) {
      silent.get(i).disconnect();
      assertThat(silent.get(i).awaitClosed(2000)).isTrue();
    }
    for (int i : new int[] {1, 2, 5, 6}) {
      assertThat(silent.get(i).awaitClosed(4000)).as("sweep-" + i + " timed out").isTrue();
      awaitNoSession("sweep-" + i);
    }
    forever.pingreq();
    assertThat(forever.next().type()).isEqualTo(Packet.PINGRESP);
    assertThat(broker.broker().node().stats().clientsConnected.sum()).isEqualTo(1);
  }

  @Test
  void keepAliveZeroMeansTheBrokerNeverTimesTheConnectionOut() throws Exception {
    startBroker();
    RawClient raw = raw();
    raw.connectAccepted("forever", true, 0, null);

    // The thing under test is the absence of a timeout: a bounded silent wait, longer than any timeout
    // a small keep-alive would give.
    assertThat(raw.read(3000)).as("no packet and no close during 3 s of silence").isNull();

    raw.pingreq();
    Packet pong = raw.next();
    assertThat(pong.type()).isEqualTo(Packet.PINGRESP);
    assertThat(session("forever")).isNotNull();
    assertThat(session("forever").isOnline()).isTrue();
  }

  @Test
  void clientSendingPingRequestsStaysConnected() throws Exception {
    startBroker();
    RawClient raw = raw();
    raw.connectAccepted("pinger", true, 1, null);

    // 3 s in all, twice the 1.5 s allowance: a PINGREQ every ~500 ms keeps the connection.
    long start = System.nanoTime();
    int pings = 0;
    while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3000) {
      raw.pingreq();
      Packet p = raw.next();
      assertThat(p.type()).as("PINGRESP").isEqualTo(Packet.PINGRESP);
      pings++;
      // The pause between pings doubles as "nothing else arrives, and the connection stays open".
      assertThat(raw.read(500)).isNull();
    }
    assertThat(pings).isGreaterThanOrEqualTo(5);
    assertThat(session("pinger").isOnline()).isTrue();
  }

  @Test
  void pahoPingsAndOtherPacketsThanPingreqCountAsActivity() throws Exception {
    startBroker();
    // A Paho client with a 1 s keep-alive idles (Paho sends only PINGREQs) during the same window in which a
    // raw client sends nothing but QoS 0 PUBLISHes (no answer, but activity) every ~500 ms.
    Client paho = connect("paho-idle", true, o -> o.setKeepAliveInterval(1));
    paho.subscribe("ka", 1);
    RawClient busy = raw();
    busy.connectAccepted("busy", true, 1, null);

    long start = System.nanoTime();
    int n = 0;
    while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3000) {
      busy.publish("busy/t", "x" + n++, 0, 0, false);
      assertThat(busy.read(500)).isNull();
    }

    assertThat(paho.received.lost).as("Paho connection lost").isNotDone();
    assertThat(paho.paho.isConnected()).isTrue();
    paho.publish("ka", "alive", 1, false);
    assertThat(paho.received.next().payload()).isEqualTo("alive");
    busy.pingreq();
    assertThat(busy.next().type()).isEqualTo(Packet.PINGRESP);
  }
}
