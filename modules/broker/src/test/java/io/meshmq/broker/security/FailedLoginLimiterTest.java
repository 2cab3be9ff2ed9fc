package io.meshmq.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedLoginLimiterTest {

  @Test
  void blocksAnAddressAtTheLimitUntilItsOldestFailureLeavesTheWindow() {
    AtomicLong now = new AtomicLong(1_000_000);
    FailedLoginLimiter l = new FailedLoginLimiter(3, 60_000, now::get);
    assertThat(l.recordFailure("10.0.0.1")).isFalse();
    now.addAndGet(10_000);
    assertThat(l.recordFailure("10.0.0.1")).isFalse();
    assertThat(l.isBlocked("10.0.0.1")).isFalse();
    assertThat(l.recordFailure("10.0.0.1")).as("the third reaches the limit").isTrue();
    assertThat(l.isBlocked("10.0.0.1")).isTrue();
    assertThat(l.isBlocked("10.0.0.2")).as("per address").isFalse();
    now.addAndGet(49_999);
    assertThat(l.isBlocked("10.0.0.1")).isTrue();
    now.addAndGet(1);
    assertThat(l.isBlocked("10.0.0.1")).as("the first failure left the window").isFalse();
  }

  @Test
  void zeroMeansNoLimit() {
    FailedLoginLimiter l = new FailedLoginLimiter(0, 60_000, System::currentTimeMillis);
    for (int i = 0; i < 100; i++) {
      l.recordFailure("h");
    }
    assertThat(l.isBlocked("h")).isFalse();
  }

  @Test
  void hostOfStripsThePort() {
    assertThat(FailedLoginLimiter.hostOf("127.0.0.1:51234")).isEqualTo("127.0.0.1");
    assertThat(FailedLoginLimiter.hostOf("[::1]:51234")).isEqualTo("::1");
    assertThat(FailedLoginLimiter.hostOf("0:0:0:0:0:0:0:1:51234")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(FailedLoginLimiter.hostOf("somewhere")).isEqualTo("somewhere");
  }
}
