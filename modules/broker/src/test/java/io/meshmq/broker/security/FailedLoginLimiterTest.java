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
  void loopbackAddressesAreNeitherCountedNorBlockedWhenExempt() {
    FailedLoginLimiter exempt = new FailedLoginLimiter(2, 60_000, System::currentTimeMillis, true);
    FailedLoginLimiter strict = new FailedLoginLimiter(2, 60_000, System::currentTimeMillis, false);
    for (String host : new String[] {"127.0.0.1", "127.9.8.7", "::1", "0:0:0:0:0:0:0:1"}) {
      for (int i = 0; i < 5; i++) {
        exempt.recordFailure(host);
        strict.recordFailure(host);
      }
      assertThat(exempt.isBlocked(host)).as(host).isFalse();
      assertThat(strict.isBlocked(host)).as(host).isTrue();
    }
    exempt.recordFailure("10.0.0.1");
    assertThat(exempt.recordFailure("10.0.0.1")).as("other addresses keep the limit").isTrue();
    assertThat(exempt.isBlocked("10.0.0.1")).isTrue();
  }

  @Test
  void onlyLoopbackLiteralsAreLoopbackAndNoNameIsLookedUp() {
    for (String yes : new String[] {"127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "0::1", "0000::0001",
        "::ffff:127.0.0.1"}) {
      assertThat(LoopbackAddress.is(yes)).as(yes).isTrue();
    }
    for (String no : new String[] {"10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.256", "::2", "::", "1::1",
        "::ffff:10.0.0.1", "0:0:0:0:0:0:0:0:1", "::1::", "localhost", "127.0.0.1.example.com", "?", ""}) {
      assertThat(LoopbackAddress.is(no)).as(no).isFalse();
    }
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
