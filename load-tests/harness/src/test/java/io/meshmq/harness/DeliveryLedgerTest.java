package io.meshmq.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

  @Test
  void countsDuplicatesReorderingAndLossPerPublisher() {
    DeliveryLedger ledger = new DeliveryLedger(2);
    long now = System.nanoTime();
    for (long seq : new long[] {0, 1, 1, 3, 2}) {
      ledger.record(0, seq, now, now);
    }
    ledger.record(1, 0, now, now);
    ledger.record(BenchPayload.PROBE, 0, now, now);

    JsonObject json = new JsonObject(new ResultLine("test", options()).deliveries(new long[] {5, 2}, List.of(ledger)).toString());

    assertThat(json.getLong("sent")).isEqualTo(7);
    assertThat(json.getLong("received")).isEqualTo(6);
    assertThat(json.getLong("duplicated")).isEqualTo(1);
    assertThat(json.getLong("out_of_order")).isEqualTo(1);
    // publisher 0: 4 of 5 distinct (seq 4 missing); publisher 1: 1 of 2
    assertThat(json.getLong("lost")).isEqualTo(2);
    assertThat(ledger.probes()).isEqualTo(1);
  }

  @Test
  void timesOnlyMessagesDueAfterTheWarmUp() {
    DeliveryLedger ledger = new DeliveryLedger(1);
    ledger.recordLatencyFrom(1_000_000);
    ledger.record(0, 0, 999_999, 5_000_000);
    ledger.record(0, 1, 1_000_000, 3_000_000);

    assertThat(ledger.received()).isEqualTo(2);
    assertThat(ledger.latencyMicros().getTotalCount()).isEqualTo(1);
    assertThat(ledger.latencyMicros().getMaxValue()).isBetween(1_999L, 2_001L);
  }

  static TargetOptions options() {
    TargetOptions o = new TargetOptions();
    o.port = 1;
    return o;
  }
}
