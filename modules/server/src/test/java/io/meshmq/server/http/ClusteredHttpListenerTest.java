package io.meshmq.server.http;

import static io.meshmq.server.http.Http.array;
import static io.meshmq.server.http.Http.object;
import static io.meshmq.server.http.Http.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.server.Launcher;
import io.meshmq.server.RunningServer;
import io.meshmq.server.config.SettingsCatalogs;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two clustered nodes started by the launcher in this JVM: both become ready (and the cluster safe) and see each
 * other; a subscription on one shows in the other's route table (admin API) and its messages in the other's forward
 * counter.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusteredHttpListenerTest {

  private static final String TOKEN = "cluster-token";

  @Test
  void bothNodesAreReadyAndTheClusterResourceListsTwoMembers() throws Exception {
    String cluster = "http-test-" + UUID.randomUUID();
    List<RunningServer> servers = new ArrayList<>();
    try {
      servers.add(launch(cluster));
      servers.add(launch(cluster));

      for (RunningServer s : servers) {
        Http http = new Http(s.httpPort());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> http.get("/health/ready").statusCode() == 200);
        JsonObject ready = object(http.get("/health/ready"));
        assertThat(ready.getJsonObject("checks").getMap()).containsOnlyKeys("cluster-joined", "mqtt-listeners",
            "not-draining").containsValue("UP").doesNotContainValue("DOWN");
        // Whether another node may go is asked separately; right after a join the partitions may still migrate.
        HttpResponse<String> safe = http.get("/health/cluster-safe?wait-seconds=60");
        assertThat(safe.statusCode()).as("cluster safe within 60 s: %s", safe.body()).isEqualTo(200);
        assertThat(object(safe).getBoolean("clustered")).isTrue();

        HttpResponse<String> c = http.withToken(TOKEN).get("/api/cluster");
        assertThat(c.statusCode()).isEqualTo(200);
        JsonObject body = object(c);
        assertThat(body.getBoolean("clustered")).isTrue();
        assertThat(body.getJsonArray("members")).hasSize(2);
        assertThat(body.getJsonArray("members").getList()).contains(body.getString("node"));

        String metrics = http.get("/metrics").body();
        assertThat(sample(metrics, "meshmq_cluster_members", "").orElseThrow()).isEqualTo(2.0);
        assertThat(sample(metrics, "meshmq_cluster_routes", "")).isPresent();
        assertThat(sample(metrics, "meshmq_cluster_forwards_total", "")).isPresent();
        assertThat(sample(metrics, "meshmq_cluster_forward_failures_total", "")).isPresent();
        assertThat(sample(metrics, "meshmq_cluster_forwards_unmatched_total", "")).isPresent();
        assertThat(sample(metrics, "meshmq_cluster_forwards_resent_total", "")).isPresent();
        assertThat(sample(metrics, "meshmq_cluster_forwards_duplicates_total", "")).isPresent();
        assertThat(sample(metrics, "meshmq_session_journal_write_retries_total", "").orElseThrow()).isZero();
        assertThat(body.getJsonObject("sessionJournal").fieldNames()).contains("entriesWritten", "writeRetries", "liveItems");
        assertThat(sample(metrics, "meshmq_cluster_stalled_connections_closed_total", "").orElseThrow()).isZero();
        assertThat(sample(metrics, "meshmq_cluster_connections_moved_total", "").orElseThrow()).isZero();
        assertThat(body.getLong("connectionsMoved")).isZero();
        assertThat(body.getJsonObject("connections").fieldNames()).contains(body.getString("node"));
      }
      // Rebalancing on demand: every node is told; with no clients there is nothing to move.
      HttpResponse<String> rebalance = new Http(servers.get(0).httpPort(), TOKEN).send("POST", "/api/rebalance");
      assertThat(rebalance.statusCode()).as(rebalance.body()).isEqualTo(200);
      assertThat(object(rebalance).getBoolean("rebalancing")).isTrue();
      assertThat(object(rebalance).getInteger("nodes")).isEqualTo(2);
      routesAndForwardsFollowACrossNodeSubscription(servers.get(0), servers.get(1));
    } finally {
      servers.forEach(RunningServer::stop);
    }
  }

  /** A persistent subscriber on b, a publisher on a: a's route table names b for the filter, and a's forwards count. */
  private static void routesAndForwardsFollowACrossNodeSubscription(RunningServer a, RunningServer b) throws Exception {
    Http httpA = new Http(a.httpPort(), TOKEN);
    String nodeB = object(new Http(b.httpPort(), TOKEN).get("/api/cluster")).getString("node");
    MqttClient sub = new MqttClient("tcp://127.0.0.1:" + b.mqttPort(), "routes-sub", new MemoryPersistence());
    MqttClient pub = new MqttClient("tcp://127.0.0.1:" + a.mqttPort(), "routes-pub", new MemoryPersistence());
    try {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      org.eclipse.paho.client.mqttv3.MqttConnectOptions persistent = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
      persistent.setCleanSession(false);
      sub.connect(persistent);
      sub.subscribe("routes/+/temp", 1, (t, m) -> got.add(t));
      await().atMost(Duration.ofSeconds(20)).until(() -> array(httpA.get("/api/routes")).stream()
          .map(JsonObject.class::cast).anyMatch(r -> r.getString("filter").equals("routes/+/temp")));
      JsonObject route = array(httpA.get("/api/routes")).stream().map(JsonObject.class::cast)
          .filter(r -> r.getString("filter").equals("routes/+/temp")).findFirst().orElseThrow();
      assertThat(route.getJsonArray("nodes").getList()).containsExactly(nodeB);

      double forwardsBefore = sample(httpA.get("/metrics").body(), "meshmq_cluster_forwards_total", "").orElseThrow();
      pub.connect();
      for (int i = 0; i < 3; i++) {
        pub.publish("routes/" + i + "/temp", new byte[] {1}, 1, false);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("routes/" + i + "/temp");
      }
      assertThat(sample(httpA.get("/metrics").body(), "meshmq_cluster_forwards_total", "").orElseThrow())
          .isEqualTo(forwardsBefore + 3);
      Http httpB = new Http(b.httpPort(), TOKEN);
      // (How many records b wrote is not fixed: a message its subscriber acknowledged before the batch left is not
      // written at all.)
      assertThat(sample(httpB.get("/metrics").body(), "meshmq_session_journal_records_total", "")).isPresent();
    } finally {
      for (MqttClient c : List.of(sub, pub)) {
        if (c.isConnected()) {
          c.disconnect();
        }
        c.close();
      }
    }
  }

  private static RunningServer launch(String cluster) {
    return new Launcher(SettingsCatalogs.all(), Map.of(), Path.of(".")).start(
        "--set", "cluster.enabled=true", "--set", "cluster.name=" + cluster,
        "--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1", "--set", "http.port=0",
        "--set", "listeners.event-loops=2", "--set", "sys.interval-seconds=0",
        "--set", "admin.enabled=true", "--set", "admin.token=" + TOKEN);
  }
}
