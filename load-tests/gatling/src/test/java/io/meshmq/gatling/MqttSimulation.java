package io.meshmq.gatling;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.Simulation;
import io.meshmq.gatling.mqtt.Mqtt;
import io.meshmq.gatling.mqtt.MqttProtocolBuilder;
import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.global;

/**
 * Common parameters of the MeshMQ simulations, all system properties ({@code -Dusers=200}):
 * {@code brokers} (comma-separated host:port, round-robin per virtual user; default 127.0.0.1:1883),
 * {@code mqttVersion} (5 or 3 for 3.1.1), {@code users}, {@code ramp} and {@code duration} (seconds),
 * {@code rate}, {@code timeout} (seconds, every broker call), {@code maxErrorPercent} and {@code p99Ms}
 * (the assertions), plus per-simulation ones.
 */
public abstract class MqttSimulation extends Simulation {

  protected final String brokers = str("brokers", "127.0.0.1:1883");
  protected final int users = integer("users", 100);
  protected final int rampSeconds = integer("ramp", 10);
  protected final int durationSeconds = integer("duration", 20);
  protected final double maxErrorPercent = dbl("maxErrorPercent", 1.0);
  protected final int timeoutSeconds = integer("timeout", 10);
  /** Distinguishes topics of this run from earlier runs' (retained messages outlive a run). */
  protected final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

  protected MqttProtocolBuilder protocol(int defaultVersion) {
    int version = integer("mqttVersion", defaultVersion);
    System.out.printf("[meshmq-gatling] %s: brokers=%s mqttVersion=%d users=%d ramp=%ds duration=%ds run=%s%n",
        getClass().getSimpleName(), brokers, version, users, rampSeconds, durationSeconds, runId);
    return Mqtt.mqtt().brokers(brokers).version(version).timeout(Duration.ofSeconds(timeoutSeconds))
        .clientIdPrefix("gatling");
  }

  protected Assertion errorRate() {
    return global().failedRequests().percent().lte(maxErrorPercent);
  }

  protected static String str(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  protected static int integer(String name, int def) {
    return Integer.parseInt(str(name, Integer.toString(def)));
  }

  protected static double dbl(String name, double def) {
    return Double.parseDouble(str(name, Double.toString(def)));
  }
}
