package io.meshmq.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.meshmq.gatling.mqtt.Mqtt;
import java.time.Duration;

/**
 * Retained-heavy subscribe: one user stores {@code retained} retained messages (default 500, QoS 1) under
 * {@code retained/<run>/item-<i>}; then {@code users} subscribers (ramped over {@code ramp} s) each subscribe to
 * {@code retained/<run>/#} and must receive all of them within {@code timeout} s ("all retained received":
 * SUBSCRIBE to the last retained message); finally the retained messages are cleared.
 */
public class RetainedHeavySubscribe extends MqttSimulation {
  {
    int retained = integer("retained", 500);
    int size = integer("size", 64);
    int p99Ms = integer("p99Ms", 5000);
    String base = "retained/" + runId;

    ScenarioBuilder seed = scenario("seed retained")
        .exec(Mqtt.connect("connect seeder"))
        .exitHereIfFailed()
        .repeat(retained, "i").on(
            exec(Mqtt.publish("publish retained", s -> base + "/item-" + s.getInt("i")).qos(1).retain(true)
                .payloadSize(size)))
        .exec(Mqtt.disconnect("disconnect seeder"));

    ScenarioBuilder subscribers = scenario("retained subscribers")
        .exec(Mqtt.connect("connect subscriber"))
        .exitHereIfFailed()
        .exec(Mqtt.subscribe("subscribe retained", base + "/#").qos(1))
        .exitHereIfFailed()
        .exec(Mqtt.awaitMessage("all retained received").count(retained).sinceSubscribe()
            .timeout(Duration.ofSeconds(timeoutSeconds)))
        .exec(Mqtt.disconnect("disconnect subscriber"));

    ScenarioBuilder cleanup = scenario("clear retained")
        .exec(Mqtt.connect("connect cleaner"))
        .exitHereIfFailed()
        .repeat(retained, "i").on(
            exec(Mqtt.publish("clear retained", s -> base + "/item-" + s.getInt("i")).qos(1).retain(true)
                .payloadSize(0)))
        .exec(Mqtt.disconnect("disconnect cleaner"));

    setUp(
        seed.injectOpen(atOnceUsers(1)).andThen(
            subscribers.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampSeconds))).andThen(
                cleanup.injectOpen(atOnceUsers(1)))))
        .protocols(protocol(5))
        .assertions(
            errorRate(),
            details("all retained received").successfulRequests().count().gte((long) users),
            details("all retained received").responseTime().percentile(99.0).lt(p99Ms));
  }
}
