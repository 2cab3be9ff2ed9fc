package io.meshmq.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The scenarios against a real broker: what they count must add up, message by message. */
class BenchScenariosTest {

  @Test
  void fanInAtQos1DeliversAndCountsEveryMessageWhenTheQueueIsLargeEnough() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_QUEUED_MESSAGES, 1_000_000)) {
      JsonObject r = json(new ThroughputScenario("fan-in", target(broker, 2_000), 4, 1, 1, 8).run(true));

      assertThat(r.getLong("sent")).isEqualTo(8_000);
      assertThat(r.getLong("acked")).isEqualTo(8_000);
      assertThat(r.getLong("received")).isEqualTo(8_000);
      assertThat(r.getLong("lost")).isZero();
      assertThat(r.getLong("duplicated")).isZero();
      assertThat(r.getLong("msgs_per_s")).isPositive();
      assertThat(r.getJsonArray("errors")).isEmpty();
    }
  }

  @Test
  void fanInCountsTheMessagesABrokerRefusesAfterAcknowledgingThem() throws Exception {
    // one message in flight to the subscriber and ten queued: the publishers outrun it and the rest is refused
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_QUEUED_MESSAGES, 10, BrokerSettings.MAX_INFLIGHT, 1)) {
      JsonObject r = json(new ThroughputScenario("fan-in", target(broker, 5_000), 8, 1, 1, 32).run(true));

      assertThat(r.getLong("acked")).isEqualTo(40_000);
      assertThat(r.getLong("lost")).isPositive();
      assertThat(r.getLong("received") + r.getLong("lost")).isEqualTo(40_000);
    }
  }

  @Test
  void fanOutAtQos2DeliversEveryMessageToEverySubscriberOnce() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      JsonObject r = json(new ThroughputScenario("fan-out", target(broker, 300), 1, 5, 2, 16).run(false));

      assertThat(r.getLong("expected")).isEqualTo(1_500);
      assertThat(r.getLong("received")).isEqualTo(1_500);
      assertThat(r.getLong("lost")).isZero();
      assertThat(r.getLong("duplicated")).isZero();
      assertThat(r.getLong("out_of_order")).isZero();
    }
  }

  @Test
  void latencyTimesEveryMessageAtTheFixedRate() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      Latency latency = new Latency();
      latency.target = target(broker, 1_000_000);
      latency.target.seconds = 2;
      latency.rate = 500;
      latency.warmupSeconds = 0;

      JsonObject r = json(latency.measure());

      assertThat(r.getLong("sent")).isEqualTo(1_000);
      assertThat(r.getLong("received")).isEqualTo(1_000);
      assertThat(r.getLong("latency_count")).isEqualTo(1_000);
      assertThat(r.getDouble("latency_p50_ms")).isPositive().isLessThanOrEqualTo(r.getDouble("latency_p99_ms"));
      // generous: only a broken clock or pacing would be this slow
      assertThat(r.getDouble("latency_p50_ms")).isLessThan(1_000);
    }
  }

  private static TargetOptions target(BrokerFixture broker, long maxMessages) {
    TargetOptions t = new TargetOptions();
    t.port = broker.port();
    t.label = "test";
    t.seconds = 60;
    t.maxMessages = maxMessages;
    t.drainSeconds = 30;
    t.quietSeconds = 2;
    t.threads = 1;
    return t;
  }

  private static JsonObject json(ResultLine line) {
    return new JsonObject(line.toString());
  }
}
