package io.meshmq.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class OutboundWindowTest {

  private static Delivery d(int qos) {
    return Delivery.of(Message.of("t", new byte[0], qos, false), qos, false);
  }

  @Test
  void windowHasRoomUntilCapacity() {
    OutboundWindow w = new OutboundWindow(2);
    assertThat(w.hasRoom()).isTrue();
    w.add(d(1));
    w.add(d(1));
    assertThat(w.hasRoom()).isFalse();
    assertThat(w.size()).isEqualTo(2);
  }

  @Test
  void packetIdsAreNeverReusedWhileInFlight() {
    OutboundWindow w = new OutboundWindow(65_535);
    InflightMessage held = w.add(d(1));
    Set<Integer> seen = new HashSet<>();
    seen.add(held.packetId());
    // Cycle through the whole id space twice, acknowledging everything except the held one.
    for (int i = 0; i < 2 * 65_535; i++) {
      InflightMessage m = w.add(d(1));
      assertThat(m.packetId()).isNotEqualTo(held.packetId()).isBetween(1, 65_535);
      assertThat(w.acknowledge(m.packetId())).isSameAs(m);
    }
    assertThat(w.size()).isEqualTo(1);
  }

  @Test
  void allIdsInFlightIsAnError() {
    OutboundWindow w = new OutboundWindow(65_535);
    for (int i = 0; i < 65_535; i++) {
      w.add(d(1));
    }
    assertThatThrownBy(() -> w.add(d(1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void qos1CompletesOnPubackOnly() {
    OutboundWindow w = new OutboundWindow(10);
    InflightMessage m = w.add(d(1));
    assertThat(w.received(m.packetId())).isNull();
    assertThat(w.complete(m.packetId())).isNull();
    assertThat(w.acknowledge(m.packetId())).isSameAs(m);
    assertThat(w.acknowledge(m.packetId())).isNull();
    assertThat(w.isEmpty()).isTrue();
  }

  @Test
  void qos2GoesThroughPubrecThenPubcomp() {
    OutboundWindow w = new OutboundWindow(10);
    InflightMessage m = w.add(d(2));
    assertThat(w.acknowledge(m.packetId())).isNull();
    assertThat(w.complete(m.packetId())).as("PUBCOMP before PUBREC").isNull();
    assertThat(w.received(m.packetId())).isSameAs(m);
    assertThat(m.stage()).isEqualTo(InflightMessage.Stage.RELEASED);
    assertThat(w.received(m.packetId())).as("a repeated PUBREC is answered again").isSameAs(m);
    assertThat(w.complete(m.packetId())).isSameAs(m);
    assertThat(w.isEmpty()).isTrue();
  }

  @Test
  void unknownIdsAreRejected() {
    OutboundWindow w = new OutboundWindow(10);
    assertThat(w.acknowledge(7)).isNull();
    assertThat(w.received(7)).isNull();
    assertThat(w.complete(7)).isNull();
    assertThat(w.drop(7)).isNull();
  }

  @Test
  void inOrderIsSendOrderForResend() {
    OutboundWindow w = new OutboundWindow(10);
    InflightMessage a = w.add(d(1));
    InflightMessage b = w.add(d(2));
    InflightMessage c = w.add(d(1));
    w.acknowledge(b.packetId()); // QoS 2 is not completed by PUBACK
    w.acknowledge(a.packetId());
    assertThat(w.inOrder()).containsExactly(b, c);
    List<InflightMessage> drained = w.drain();
    assertThat(drained).containsExactly(b, c);
    assertThat(w.isEmpty()).isTrue();
  }

  @Test
  void restoreKeepsIdsAndStages() {
    OutboundWindow w = new OutboundWindow(10);
    w.restore(500, d(2), InflightMessage.Stage.RELEASED);
    assertThat(w.complete(500)).isNotNull();
    w.restore(501, d(1), InflightMessage.Stage.PUBLISHED);
    assertThatThrownBy(() -> w.restore(501, d(1), InflightMessage.Stage.PUBLISHED)).isInstanceOf(IllegalStateException.class);
    assertThat(w.add(d(1)).packetId()).isEqualTo(502);
  }

  @Test
  void shrinkingCapacityKeepsWhatIsInFlight() {
    OutboundWindow w = new OutboundWindow(5);
    for (int i = 0; i < 5; i++) {
      w.add(d(1));
    }
    w.setCapacity(2);
    assertThat(w.size()).isEqualTo(5);
    assertThat(w.hasRoom()).isFalse();
  }

  @Test
  void theSharedInflightCounterFollowsAddsAcksCompletionsDropsAndDrain() {
    LongAdder inflight = new LongAdder();
    OutboundWindow w = new OutboundWindow(10, inflight);
    InflightMessage q1 = w.add(d(1));
    InflightMessage q2 = w.add(d(2));
    InflightMessage other = w.add(d(1));
    w.restore(500, d(2), InflightMessage.Stage.RELEASED);
    assertThat(inflight.sum()).isEqualTo(4);
    assertThat(w.acknowledge(q2.packetId())).as("not QoS 1").isNull();
    w.acknowledge(q1.packetId());
    w.acknowledge(q1.packetId());
    assertThat(inflight.sum()).as("a second PUBACK changes nothing").isEqualTo(3);
    w.received(q2.packetId());
    w.complete(q2.packetId());
    w.drop(other.packetId());
    w.drop(other.packetId());
    assertThat(inflight.sum()).isEqualTo(1);
    w.drain();
    assertThat(inflight.sum()).isZero();
  }
}
