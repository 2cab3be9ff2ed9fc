package io.meshmq.server.http;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two clustered nodes started by the launcher in this JVM: both become ready and see each other. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusteredHttpListenerTest {

  private static final String TOKEN = "cluster-token";

  @Test
  void bothNodesAreReadyAndTheClusterResourceListsTwoMembers() {
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
        assertThat(ready.getJsonObject("checks").getMap()).containsEntry("cluster-joined", "UP")
            .containsEntry("cluster-safe", "UP").containsEntry("mqtt-listeners", "UP").containsEntry("not-draining", "UP");

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
      }
    } finally {
      servers.forEach(RunningServer::stop);
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
