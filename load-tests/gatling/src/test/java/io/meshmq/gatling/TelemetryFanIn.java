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

/**
 * Telemetry fan-in: {@code users} devices (ramped over {@code ramp} s) each publish a {@code size}-byte message
 * every {@code interval} s (default 1) at QoS {@code qos} (0 or 1, default 1) for {@code duration} s to
 * {@code telemetry/<run>/<client id>}; one subscriber on {@code telemetry/<run>/#} counts and times every
 * delivery ("telemetry receive": receive time - publish timestamp). At the end it checks that it received
 * everything acknowledged (QoS 1) or at least {@code minDelivered} of it (QoS 0, default 0.99).
 */
public class TelemetryFanIn extends MqttSimulation {
  {
    int qos = integer("qos", 1);
    double intervalSeconds = dbl("interval", 1.0);
    int size = integer("size", 64);
    int p99Ms = integer("p99Ms", 500);
    double minDelivered = dbl("minDelivered", qos == 0 ? 0.99 : 1.0);
    String base = "telemetry/" + runId;
    String publishName = "publish telemetry qos" + qos;

    ScenarioBuilder subscriber = scenario("telemetry subscriber")
        .exec(Mqtt.connect("connect subscriber"))
        .exitHereIfFailed()
        .exec(Mqtt.subscribe("subscribe telemetry", base + "/#").qos(qos)
            .logDeliveries("telemetry receive").countAs("telemetry"))
        .exitHereIfFailed()
        .pause(Duration.ofSeconds(2 + rampSeconds + durationSeconds + 2))
        .exec(Mqtt.checkDelivered("all telemetry delivered", "telemetry", minDelivered, Duration.ofSeconds(15)))
        .exec(Mqtt.disconnect("disconnect subscriber"));

    ScenarioBuilder devices = scenario("telemetry devices")
        .exec(Mqtt.connect("connect device"))
        .exitHereIfFailed()
        .during(Duration.ofSeconds(durationSeconds)).on(
            pace(Duration.ofMillis((long) (intervalSeconds * 1000)))
                .exec(Mqtt.publish(publishName, base + "/#{mqttClientId}").qos(qos).payloadSize(size)
                    .countAs("telemetry")))
        .exec(Mqtt.disconnect("disconnect device"));

    setUp(
        subscriber.injectOpen(atOnceUsers(1)),
        devices.injectOpen(nothingFor(Duration.ofSeconds(2)), rampUsers(users).during(Duration.ofSeconds(rampSeconds))))
        .protocols(protocol(5))
        .assertions(
            errorRate(),
            details("all telemetry delivered").failedRequests().count().is(0L),
            details("telemetry receive").responseTime().percentile(99.0).lt(p99Ms),
            details(publishName).responseTime().percentile(99.0).lt(p99Ms));
  }
}
