package io.meshmq.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class InboundQos2Test {

  @Test
  void aPacketIdIsRoutedOnceUntilReleased() {
    InboundQos2 q = new InboundQos2();
    assertThat(q.firstSeen(7)).isTrue();
    assertThat(q.firstSeen(7)).as("DUP re-send").isFalse();
    assertThat(q.isHeld(7)).isTrue();
    assertThat(q.release(7)).isTrue();
    assertThat(q.release(7)).as("PUBREL for an id not held").isFalse();
    assertThat(q.firstSeen(7)).as("the id may be reused after PUBREL").isTrue();
  }

  @Test
  void restoreAndIds() {
    InboundQos2 q = new InboundQos2();
    assertThat(q.ids()).isEmpty();
    q.restore(Set.of(1, 2));
    assertThat(q.ids()).containsExactlyInAnyOrder(1, 2);
    assertThat(q.size()).isEqualTo(2);
    q.clear();
    assertThat(q.size()).isZero();
    assertThat(q.isHeld(1)).isFalse();
  }
}
