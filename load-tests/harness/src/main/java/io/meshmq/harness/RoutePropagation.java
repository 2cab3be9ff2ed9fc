package io.meshmq.harness;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.cluster.ClusterNode;
import io.meshmq.cluster.ClusterSettings;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Route propagation across a cluster: starts two clustered nodes A and B in this JVM (loopback Hazelcast), then
 * N times subscribes on B to a fresh topic and, from the SUBACK on, publishes to it on A every millisecond
 * until B receives it. Prints one JSON line with the percentiles of SUBACK-to-first-delivery.
 *
 * <pre>java -cp load-tests/harness/target/harness.jar io.meshmq.harness.RoutePropagation [N=1000]</pre>
 */
public final class RoutePropagation {

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Settings s = Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.SYS_INTERVAL_SECONDS, 0,
        ClusterSettings.NAME, "route-propagation-" + UUID.randomUUID());
    ClusterNode a = ClusterNode.start(s, Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL).await(60, TimeUnit.SECONDS);
    ClusterNode b = ClusterNode.start(s, Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL).await(60, TimeUnit.SECONDS);
    long[] micros = new long[n];
    int timeouts = 0;
    try (RawMqtt pub = new RawMqtt(a.mqttPort(), "rp-pub"); RawMqtt sub = new RawMqtt(b.mqttPort(), "rp-sub")) {
      byte[] payload = new byte[] {1};
      for (int i = 0; i < n; i++) {
        String topic = "rp/" + i;
        sub.subscribe(topic, 0);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(5);
        boolean arrived = false;
        while (!arrived && System.nanoTime() < deadline) {
          pub.publishQos0(topic, payload);
          RawMqtt.Packet p;
          while ((p = sub.read(1)) != null) {
            if (p.type() == 3 && p.topic().equals(topic)) {
              arrived = true;
            }
          }
        }
        micros[i] = (System.nanoTime() - start) / 1000;
        if (!arrived) {
          timeouts++;
        }
      }
    } finally {
      a.stop().await(30, TimeUnit.SECONDS);
      b.stop().await(30, TimeUnit.SECONDS);
    }
    Arrays.sort(micros);
    System.out.printf("{\"scenario\":\"route-propagation\",\"subscriptions\":%d,\"timeouts\":%d,"
            + "\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}%n",
        n, timeouts, pct(micros, 50), pct(micros, 90), pct(micros, 99), micros[n - 1] / 1000.0);
    System.exit(0);
  }

  private static double pct(long[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1000.0;
  }
}
