package io.meshmq.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.meshmq.gatling.mqtt.Mqtt;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Command fan-out: {@code users} devices (ramped over {@code ramp} s) each subscribe to their own topic
 * {@code cmd/<run>/device-<i>}; once they are all up, one publisher sends {@code rate} commands per second
 * (default 50) for {@code duration} s at QoS {@code qos} (default 1), cycling over the devices. Each delivery is
 * timed ("command receive"); at the end the publisher checks every acknowledged command was delivered.
 */
public class CommandFanOut extends MqttSimulation {
  {
    int qos = integer("qos", 1);
    int rate = integer("rate", 50);
    int size = integer("size", 64);
    int p99Ms = integer("p99Ms", 500);
    String base = "cmd/" + runId + "/device-";
    int publisherStart = rampSeconds + 3;
    Iterator<Map<String, Object>> deviceFeeder =
        IntStream.iterate(0, i -> i + 1).mapToObj(i -> Map.<String, Object>of("device", i % users)).iterator();

    ScenarioBuilder devices = scenario("command subscribers")
        .feed(deviceFeeder)
        .exec(Mqtt.connect("connect device"))
        .exitHereIfFailed()
        .exec(Mqtt.subscribe("subscribe commands", base + "#{device}").qos(qos)
            .logDeliveries("command receive").countAs("commands"))
        .exitHereIfFailed()
        .pause(Duration.ofSeconds(publisherStart + durationSeconds + 15))
        .exec(Mqtt.disconnect("disconnect device"));

    ScenarioBuilder publisher = scenario("command publisher")
        .exec(Mqtt.connect("connect publisher"))
        .exitHereIfFailed()
        .during(Duration.ofSeconds(durationSeconds), "i").on(
            pace(Duration.ofMillis(Math.max(1, 1000 / rate)))
                .exec(Mqtt.publish("publish command", s -> base + (s.getInt("i") % users)).qos(qos)
                    .payloadSize(size).countAs("commands")))
        .exec(Mqtt.checkDelivered("all commands delivered", "commands", qos == 0 ? 0.99 : 1.0,
            Duration.ofSeconds(10)))
        .exec(Mqtt.disconnect("disconnect publisher"));

    setUp(
        devices.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampSeconds))),
        publisher.injectOpen(nothingFor(Duration.ofSeconds(publisherStart)), atOnceUsers(1)))
        .protocols(protocol(5))
        .assertions(
            errorRate(),
            details("all commands delivered").failedRequests().count().is(0L),
            details("command receive").responseTime().percentile(99.0).lt(p99Ms),
            details("publish command").responseTime().percentile(99.0).lt(p99Ms));
  }
}
