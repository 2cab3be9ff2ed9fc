package io.meshmq.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.meshmq.core.message.PublishProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class MessageQueueTest {

  private static Delivery d(String name, int qos) {
    return Delivery.of(Message.of(name, new byte[0], qos, false), qos, false);
  }

  private static Delivery expiring(String name, long expiresAt) {
    return Delivery.of(new Message(name, new byte[0], 1, false, PublishProperties.NONE, null, expiresAt), 1, false);
  }

  private static List<String> names(List<Delivery> ds) {
    List<String> out = new ArrayList<>();
    ds.forEach(x -> out.add(x.message().topic()));
    return out;
  }

  @Test
  void queuesInOrderUntilFull() {
    MessageQueue q = new MessageQueue(3);
    assertThat(q.offer(d("a", 1))).isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.offer(d("b", 1))).isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.offer(d("c", 1))).isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.offer(d("d", 1))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(names(q.drain())).containsExactly("a", "b", "c");
  }

  @Test
  void fullQueueDropsOldestQos0First() {
    MessageQueue q = new MessageQueue(3);
    q.offer(d("q1-a", 1));
    q.offer(d("q0-b", 0));
    q.offer(d("q0-c", 0));
    assertThat(q.offer(d("q1-d", 1))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.offer(d("q0-e", 0))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(names(q.snapshot())).containsExactly("q1-a", "q1-d", "q0-e");
    assertThat(q.offer(d("q1-f", 1))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.offer(d("q0-g", 0))).as("full of QoS 1").isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(names(q.drain())).containsExactly("q1-a", "q1-d", "q1-f");
  }

  @Test
  void pollSkipsAndCountsExpiredMessages() {
    MessageQueue q = new MessageQueue(10);
    q.offer(expiring("old", 1_000));
    q.offer(expiring("fresh", 5_000));
    List<Delivery> expired = new ArrayList<>();
    assertThat(q.poll(2_000, expired::add).message().topic()).isEqualTo("fresh");
    assertThat(names(expired)).containsExactly("old");
    assertThat(q.poll(2_000, expired::add)).isNull();
  }

  @Test
  void purgeRemovesOnlyExpired() {
    MessageQueue q = new MessageQueue(10);
    q.offer(expiring("a", 1_000));
    q.offer(d("b", 0));
    q.offer(expiring("c", 9_000));
    List<Delivery> expired = new ArrayList<>();
    assertThat(q.purgeExpired(2_000, expired::add)).isEqualTo(1);
    assertThat(names(q.snapshot())).containsExactly("b", "c");
  }

  @Test
  void pushFrontPutsBackAtTheHead() {
    MessageQueue q = new MessageQueue(2);
    q.offer(d("a", 1));
    Delivery a = q.poll(0, x -> { });
    q.offer(d("b", 1));
    q.pushFront(a);
    assertThat(names(q.drain())).containsExactly("a", "b");
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.size()).isZero();
  }

  /** A delivery of {@code size} bytes as the byte bound counts them: the name as topic, the rest payload. */
  private static Delivery sized(String name, int qos, int size) {
    return Delivery.of(Message.of(name, new byte[size - name.length()], qos, false), qos, false);
  }

  @Test
  void theByteBoundRefusesWhatDoesNotFitAndCountsTopicAndPayload() {
    MessageQueue q = new MessageQueue(100, 100);
    assertThat(MessageQueue.sizeOf(sized("a", 1, 40))).isEqualTo(40);
    assertThat(q.offer(sized("a", 1, 40))).isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.offer(sized("b", 1, 60))).as("exactly at the bound").isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.bytes()).isEqualTo(100);
    assertThat(q.offer(sized("c", 1, 2))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(q.lastBoundReached()).isEqualTo(MessageQueue.Bound.BYTES);
    assertThat(q.poll(0, x -> { }).message().topic()).isEqualTo("a");
    assertThat(q.bytes()).isEqualTo(60);
    assertThat(q.offer(sized("c", 1, 40))).isEqualTo(MessageQueue.Offer.QUEUED);
    assertThat(q.lastBoundReached()).isEqualTo(MessageQueue.Bound.NONE);
    assertThat(names(q.drain())).containsExactly("b", "c");
    assertThat(q.bytes()).isZero();
  }

  @Test
  void theByteBoundDropsAsManyOldestQos0MessagesAsNeededButOnlyIfThatIsEnough() {
    MessageQueue q = new MessageQueue(100, 100);
    q.offer(sized("z1", 0, 20));
    q.offer(sized("o1", 1, 30));
    q.offer(sized("z2", 0, 20));
    q.offer(sized("z3", 0, 20)); // 90 bytes queued, 60 of them QoS 0
    assertThat(q.offer(sized("big", 1, 71))).as("dropping all QoS 0 (60) is not enough for 71 more")
        .isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(names(q.snapshot())).as("nothing dropped for a refused message").containsExactly("z1", "o1", "z2", "z3");
    assertThat(q.offer(sized("n1", 1, 45))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.lastDroppedCount()).isEqualTo(2);
    assertThat(q.lastBoundReached()).isEqualTo(MessageQueue.Bound.BYTES);
    assertThat(names(q.snapshot())).containsExactly("o1", "z3", "n1");
    assertThat(q.bytes()).isEqualTo(95);
  }

  @Test
  void aMessageLargerThanTheByteBoundIsRefusedEvenIntoAnEmptyQueue() {
    MessageQueue q = new MessageQueue(10, 50);
    assertThat(q.offer(sized("huge", 0, 51))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void theMessageBoundStillAppliesWithAByteBound() {
    MessageQueue q = new MessageQueue(2, 1_000);
    q.offer(sized("a", 0, 10));
    q.offer(sized("b", 1, 10));
    assertThat(q.offer(sized("c", 1, 10))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.lastBoundReached()).isEqualTo(MessageQueue.Bound.MESSAGES);
    assertThat(q.lastDroppedCount()).isEqualTo(1);
    assertThat(q.offer(sized("d", 1, 10))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(q.lastBoundReached()).isEqualTo(MessageQueue.Bound.MESSAGES);
    assertThat(q.bytes()).isEqualTo(20);
  }

  @Test
  void theByteBoundDroppingSeveralQos0MessagesKeepsTheSharedDepthCounterExact() {
    LongAdder depth = new LongAdder();
    MessageQueue q = new MessageQueue(100, 100, depth);
    q.offer(sized("z1", 0, 30));
    q.offer(sized("z2", 0, 30));
    q.offer(sized("o1", 1, 30));
    assertThat(q.offer(sized("n1", 1, 60))).isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.lastDroppedCount()).isEqualTo(2);
    assertThat(depth.sum()).isEqualTo(2);
    assertThat(q.offer(sized("n2", 1, 20))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(depth.sum()).isEqualTo(2);
    q.drain();
    assertThat(depth.sum()).isZero();
  }

  @Test
  void twoQueuesKeepTheSharedDepthCounterExactThroughEveryChange() {
    LongAdder depth = new LongAdder();
    MessageQueue q = new MessageQueue(3, depth);
    MessageQueue other = new MessageQueue(5, depth);
    other.offer(d("o", 1));
    q.offer(d("a", 1));
    q.offer(d("b", 0));
    q.offer(expiring("c", 1_000));
    assertThat(depth.sum()).isEqualTo(4);
    assertThat(q.offer(d("d", 1))).as("drops b, adds d").isEqualTo(MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0);
    assertThat(q.offer(d("e", 1))).isEqualTo(MessageQueue.Offer.REFUSED_FULL);
    assertThat(depth.sum()).isEqualTo(4);
    assertThat(q.purgeExpired(2_000, x -> { })).isEqualTo(1);
    assertThat(depth.sum()).isEqualTo(3);
    Delivery a = q.poll(2_000, x -> { });
    assertThat(depth.sum()).isEqualTo(2);
    q.pushFront(a);
    assertThat(depth.sum()).isEqualTo(3);
    q.offer(expiring("f", 1_000));
    assertThat(q.poll(2_000, x -> { }).message().topic()).isEqualTo("a");
    assertThat(q.poll(2_000, x -> { }).message().topic()).isEqualTo("d");
    assertThat(q.poll(2_000, x -> { })).as("f expired on the way out").isNull();
    assertThat(depth.sum()).isEqualTo(1);
    other.drain();
    assertThat(depth.sum()).isZero();
  }
}
