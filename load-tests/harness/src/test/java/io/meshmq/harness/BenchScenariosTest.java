package io.meshmq.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scenarios against a real broker: what they count must add up, message by message. */
class BenchScenariosTest {

  @Test
  void fanInAtQos1DeliversAndCountsEveryMessageWhenTheQueueIsLargeEnough() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(BrokerSettings.MAX_QUEUED_MESSAGES, 1_000_000)) {
      JsonObject r = json(new ThroughputScenario("fan-in", target(broker, 2_000), options(1, 8), 4, 1).run(true));

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
      JsonObject r = json(new ThroughputScenario("fan-in", target(broker, 5_000), options(1, 32), 8, 1).run(true));

      assertThat(r.getLong("acked")).isEqualTo(40_000);
      assertThat(r.getLong("lost")).isPositive();
      assertThat(r.getLong("received") + r.getLong("lost")).isEqualTo(40_000);
    }
  }

  @Test
  void fanOutAtQos2DeliversEveryMessageToEverySubscriberOnce() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      JsonObject r = json(new ThroughputScenario("fan-out", target(broker, 300), options(2, 16), 1, 5).run(false));

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

  @Test
  void persistentSubscribersKeepTheirSessionsAcrossAReconnectWhenAskedTo() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      ThroughputOptions o = options(1, 16);
      o.persistent = true;
      o.keepSessions = true;
      JsonObject r = json(new ThroughputScenario("fan-out", target(broker, 200), o, 1, 3).run(false));

      assertThat(r.getLong("expected")).isEqualTo(600);
      assertThat(r.getLong("received")).isEqualTo(600);
      assertThat(r.getLong("lost")).isZero();
      assertThat(r.getLong("duplicated")).isZero();
      assertThat(r.getLong("sessions_present_at_connect")).isZero();
      assertThat(r.getLong("puback_wait_count")).isEqualTo(200);
      assertThat(r.getJsonArray("errors")).isEmpty();
      // the subscribers disconnected; their sessions stayed
      for (int i = 0; i < 3; i++) {
        assertThat(sessionPresent(broker, r.getString("subscriber_client_id_prefix") + i)).isTrue();
      }
    }
  }

  @Test
  void pubackWaitsOfTheWarmUpAreNotTimedButTheirMessagesCount() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      ThroughputOptions o = options(1, 16);
      o.rate = 200;
      o.warmupSeconds = 1;
      TargetOptions t = target(broker, 1_000_000);
      t.seconds = 2;
      JsonObject r = json(new ThroughputScenario("fan-out", t, o, 1, 1).run(false));

      assertThat(r.getLong("acked")).isEqualTo(400);
      assertThat(r.getLong("lost")).isZero();
      assertThat(r.getLong("puback_wait_warmup_seconds")).isEqualTo(1);
      // about the second second's messages (paced at 200/s); a message due in the first that left late is timed too
      assertThat(r.getLong("puback_wait_count")).isPositive().isLessThan(400);
    }
  }

  @Test
  void persistentPacedFanOutAtQos2GetsTheRateAskedAndLeavesNoSessionBehind() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start()) {
      ThroughputOptions o = options(2, 16);
      o.persistent = true;
      o.rate = 400;
      TargetOptions t = target(broker, 1_000_000);
      t.seconds = 1;
      JsonObject r = json(new ThroughputScenario("fan-out", t, o, 2, 3).run(false));

      assertThat(r.getLong("sent")).isEqualTo(400);
      assertThat(r.getLong("rate_got")).isEqualTo(400);
      assertThat(r.getLong("deliveries_asked_per_s")).isEqualTo(1_200);
      assertThat(r.getLong("received")).isEqualTo(1_200);
      assertThat(r.getLong("lost")).isZero();
      assertThat(r.getLong("duplicated")).isZero();
      assertThat(r.getLong("out_of_order")).isZero();
      assertThat(r.getLong("acked")).isEqualTo(400);
      assertThat(r.getLong("puback_wait_count")).isEqualTo(400);
      assertThat(r.getDouble("puback_wait_p50_ms")).isPositive().isLessThanOrEqualTo(r.getDouble("puback_wait_max_ms"));
      assertThat(r.getLong("sessions_cleaned")).isEqualTo(3);
      // the clean-up ended each session: its client id now finds none
      for (int i = 0; i < 3; i++) {
        assertThat(sessionPresent(broker, r.getString("subscriber_client_id_prefix") + i)).isFalse();
      }
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

  private static ThroughputOptions options(int qos, int window) {
    ThroughputOptions o = new ThroughputOptions();
    o.qos = qos;
    o.window = window;
    o.warmupSeconds = 0; // runs here last a second or less: every PUBACK wait is timed
    return o;
  }

  /** Connects with clean session 0 under the client id and disconnects: whether the broker had a session for it. */
  private static boolean sessionPresent(BrokerFixture broker, String clientId) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      BenchClient c = BenchClient.connect(group, "127.0.0.1", broker.port(), clientId, false, null).get(10, TimeUnit.SECONDS);
      c.disconnect().get(10, TimeUnit.SECONDS);
      return c.sessionPresent();
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static JsonObject json(ResultLine line) {
    return new JsonObject(line.toString());
  }
}
