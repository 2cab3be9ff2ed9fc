package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientClaimTest {

  @Test
  void aValueNamesItsNodeAndClaimTime() {
    String v = ClientClaim.now("node-1");
    assertThat(ClientClaim.node(v)).isEqualTo("node-1");
    assertThat(ClientClaim.time(v)).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
    assertThat(ClientClaim.node(null)).isNull();
  }

  @Test
  void theLaterClaimWinsToTheMillisecond() {
    assertThat(ClientClaim.wins("a@1001", "b@1000")).isTrue();
    assertThat(ClientClaim.wins("b@1000", "a@1001")).isFalse();
  }

  @Test
  void claimsOfTheSameMillisecondAreOrderedByNodeTheSameWayOnEveryMember() {
    assertThat(ClientClaim.wins("b@1000", "a@1000")).isTrue();
    assertThat(ClientClaim.wins("a@1000", "b@1000")).isFalse();
  }

  @Test
  void aBareNodeIdFromBeforeClaimTimesLosesToAnyTimedClaim() {
    assertThat(ClientClaim.node("node-1")).isEqualTo("node-1");
    assertThat(ClientClaim.time("node-1")).isZero();
    assertThat(ClientClaim.wins("node-2@5", "node-1")).isTrue();
  }
}
