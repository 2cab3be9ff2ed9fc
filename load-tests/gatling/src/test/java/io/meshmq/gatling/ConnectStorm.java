package io.meshmq.gatling;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.meshmq.gatling.mqtt.Mqtt;
import java.time.Duration;

/**
 * Connect storm: ramps to {@code users} connected clients over {@code ramp} s; each stays connected
 * {@code duration} s, then disconnects. Asserts the error rate, that every client connected and the connect p99
 * ({@code p99Ms}, default 1000).
 */
public class ConnectStorm extends MqttSimulation {
  {
    int p99Ms = integer("p99Ms", 1000);
    ScenarioBuilder storm = scenario("connect storm")
        .exec(Mqtt.connect("connect"))
        .exitHereIfFailed()
        .pause(Duration.ofSeconds(durationSeconds))
        .exec(Mqtt.disconnect("disconnect"));

    setUp(storm.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampSeconds))))
        .protocols(protocol(5))
        .assertions(
            errorRate(),
            details("connect").successfulRequests().count().gte((long) users),
            details("connect").responseTime().percentile(99.0).lt(p99Ms));
  }
}
