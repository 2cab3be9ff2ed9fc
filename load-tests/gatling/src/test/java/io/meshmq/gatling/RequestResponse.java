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
 * MQTT 5 request/response: one responder subscribed to {@code rr/<run>/request/+} answers each request on its
 * response topic with the same payload and correlation data. {@code users} requesters (ramped over {@code ramp}
 * s) subscribe to their own {@code rr/<run>/response/<client id>} and, for {@code duration} s, send requests
 * at QoS 1 with a response topic and random correlation data, {@code rate} per second in total (default 100),
 * each waiting for the answer carrying its correlation data ("response": round trip from the request's
 * publish timestamp).
 */
public class RequestResponse extends MqttSimulation {
  {
    int rate = integer("rate", 100);
    int p99Ms = integer("p99Ms", 500);
    String base = "rr/" + runId;
    long paceMillis = Math.max(1, Math.round(1000.0 * users / rate));

    ScenarioBuilder responder = scenario("responder")
        .exec(Mqtt.connect("connect responder"))
        .exitHereIfFailed()
        .exec(Mqtt.subscribe("subscribe requests", base + "/request/+").qos(1).respond())
        .exitHereIfFailed()
        .pause(Duration.ofSeconds(2 + rampSeconds + durationSeconds + timeoutSeconds + 2))
        .exec(Mqtt.disconnect("disconnect responder"));

    ScenarioBuilder requesters = scenario("requesters")
        .exec(Mqtt.connect("connect requester"))
        .exitHereIfFailed()
        .exec(Mqtt.subscribe("subscribe responses", base + "/response/#{mqttClientId}").qos(1))
        .exitHereIfFailed()
        .during(Duration.ofSeconds(durationSeconds)).on(
            pace(Duration.ofMillis(paceMillis))
                .exec(Mqtt.publish("request", base + "/request/#{mqttClientId}").qos(1)
                    .responseTopic(base + "/response/#{mqttClientId}").correlationData())
                .exec(Mqtt.awaitMessage("response").correlated().timeout(Duration.ofSeconds(timeoutSeconds))))
        .exec(Mqtt.disconnect("disconnect requester"));

    setUp(
        responder.injectOpen(atOnceUsers(1)),
        requesters.injectOpen(nothingFor(Duration.ofSeconds(2)), rampUsers(users).during(Duration.ofSeconds(rampSeconds))))
        .protocols(protocol(5))
        .assertions(
            errorRate(),
            details("response").failedRequests().percent().lte(maxErrorPercent),
            details("response").responseTime().percentile(99.0).lt(p99Ms));
  }
}
