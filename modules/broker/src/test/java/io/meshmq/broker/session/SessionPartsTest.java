package io.meshmq.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The small parts of a session on their own: its records, its forwarding after a move, its recent-ids window. */
class SessionPartsTest {

  private static Delivery d(int qos, String payload) {
    return Delivery.of(Message.of("t", payload.getBytes(StandardCharsets.UTF_8), qos, false), qos, false);
  }

  /** A session store that writes down what it is told. */
  private static final class RecordingStore implements SessionStore {
    final List<String> calls = new ArrayList<>();
    final List<Long> sequences = new ArrayList<>();

    @Override
    public Future<Void> messageTaken(String clientId, long sequence, Delivery delivery) {
      sequences.add(sequence);
      calls.add("taken " + new String(delivery.message().payload(), StandardCharsets.UTF_8));
      return STORED;
    }

    @Override
    public void messageDone(String clientId, long messageId) {
      calls.add("done");
    }

    @Override
    public Future<Void> messageInFlight(String clientId, long messageId, int packetId, boolean released) {
      calls.add("in flight " + packetId + (released ? " released" : ""));
      return STORED;
    }

    @Override
    public void sessionChanged(SessionSnapshot state) {
      calls.add("saved");
    }

    @Override
    public void sessionEnded(String clientId) {
      calls.add("ended");
    }

    @Override
    public void sessionLeft(String clientId) {
      calls.add("left");
    }
  }

  @Test
  void recordsKeepQos1And2InOrderAndReportEachDoneOnce() {
    RecordingStore store = new RecordingStore();
    SessionRecords r = new SessionRecords("c", store);
    Delivery q0 = d(0, "q0");
    Delivery q1 = d(1, "q1");
    Delivery q2 = d(2, "q2");
    assertThat(r.taken(q0)).as("QoS 0 is not kept").isNull();
    assertThat(r.taken(q1)).isNotNull();
    assertThat(r.taken(q2)).isNotNull();
    assertThat(store.sequences.get(1)).isGreaterThan(store.sequences.get(0));
    assertThat(r.sentUnder(q1, 7, false)).as("only QoS 2 keeps its packet id").isNull();
    assertThat(r.sentUnder(q2, 8, true)).isNotNull();
    r.done(q1);
    r.done(q1);
    assertThat(store.calls).containsExactly("taken q1", "taken q2", "in flight 8 released", "done");
    r.ended();
    assertThat(store.calls).endsWith("ended");
  }

  @Test
  void aMovedSessionLeavesItsRecordsToItsNewNode() {
    RecordingStore store = new RecordingStore();
    SessionRecords r = new SessionRecords("c", store);
    r.taken(d(1, "m"));
    r.movedAway();
    r.save(60, List.of(), Set.of());
    assertThat(r.inboundHeld(3)).isNull();
    r.ended();
    assertThat(store.calls).containsExactly("taken m", "left");
  }

  @Test
  void aMovedSessionHoldsWhatArrivesUntilItsNewNodeIsReadyThenPassesItOn() {
    List<String> passed = new ArrayList<>();
    MovedAway moved = new MovedAway(x -> passed.add(new String(x.message().payload(), StandardCharsets.UTF_8)), 2);
    assertThat(moved.arrived(d(1, "a"))).isTrue();
    assertThat(moved.arrived(d(1, "b"))).isTrue();
    assertThat(moved.arrived(d(1, "c"))).as("held at the bound").isFalse();
    assertThat(passed).isEmpty();
    assertThat(moved.heldCount()).isEqualTo(2);
    moved.newHomeReady();
    assertThat(moved.isReady()).isTrue();
    assertThat(moved.arrived(d(1, "d"))).isTrue();
    assertThat(passed).containsExactly("a", "b", "d");
  }

  @Test
  void recentIdsTellASecondCopyAndForgetTheOldestPastTheirBound() {
    RecentMessageIds ids = new RecentMessageIds(2);
    assertThat(ids.firstTime(1)).isTrue();
    assertThat(ids.firstTime(1)).isFalse();
    assertThat(ids.firstTime(2)).isTrue();
    assertThat(ids.firstTime(3)).isTrue(); // 1 is forgotten
    assertThat(ids.firstTime(1)).isTrue();
    assertThat(ids.firstTime(3)).isFalse();
  }
}
