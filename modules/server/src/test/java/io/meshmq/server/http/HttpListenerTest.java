package io.meshmq.server.http;

import static io.meshmq.server.http.Http.array;
import static io.meshmq.server.http.Http.object;
import static io.meshmq.server.http.Http.sample;
import static io.meshmq.server.http.Http.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.sys.AuthFailure;
import io.meshmq.broker.sys.Limit;
import io.meshmq.server.Launcher;
import io.meshmq.server.RunningServer;
import io.meshmq.server.config.SettingsCatalogs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP listener of a standalone broker: health, Prometheus metrics and the admin API, over real HTTP and MQTT. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpListenerTest {

  private static final String TOKEN = "s3cret-token";
  private static RunningServer server;
  private static Http http;
  private static Http admin;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    server = launch("--set", "admin.enabled=true", "--set", "admin.token=" + TOKEN);
    http = new Http(server.httpPort());
    admin = http.withToken(TOKEN);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @AfterEach
  void closeClients() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
  }

  static RunningServer launch(String... extra) {
    List<String> args = new ArrayList<>(List.of("--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
        "--set", "http.port=0", "--set", "sys.interval-seconds=0"));
    args.addAll(List.of(extra));
    return new Launcher(SettingsCatalogs.all(), Map.of(), Path.of(".")).start(args.toArray(String[]::new));
  }

  private MqttClient connect(String id, MqttCallback callback) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id, new MemoryPersistence());
    if (callback != null) {
      c.setCallback(callback);
    }
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setAutomaticReconnect(false);
    c.connect(o);
    clients.add(c);
    return c;
  }

  @Test
  void liveAndReadyAnswer200WithTheirChecks() {
    assertThat(server.httpPort()).isPositive();
    HttpResponse<String> live = http.get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(object(live).getString("status")).isEqualTo("UP");

    HttpResponse<String> ready = http.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject body = object(ready);
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("checks").getMap()).containsEntry("mqtt-listeners", "UP").containsEntry("not-draining", "UP");
    assertThat(body.getJsonArray("failed")).isEmpty();

    assertThat(http.get("/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void aStandaloneNodeIsAlwaysClusterSafeAndAWaitOutsideItsBoundsIsRefused() {
    HttpResponse<String> safe = http.get("/health/cluster-safe");
    assertThat(safe.statusCode()).isEqualTo(200);
    assertThat(object(safe).getBoolean("clustered")).isFalse();
    assertThat(object(safe).getJsonObject("checks").getMap()).containsEntry("cluster-safe", "UP");
    // Safe already: a wait returns at once.
    HttpResponse<String> waited = http.get("/health/cluster-safe?wait-seconds=30");
    assertThat(waited.statusCode()).isEqualTo(200);
    assertThat(object(waited).getLong("waitedMillis")).isLessThan(5_000L);

    for (String bad : List.of("-1", "x", String.valueOf(HttpListener.MAX_WAIT_SECONDS + 1))) {
      assertThat(http.get("/health/cluster-safe?wait-seconds=" + bad).statusCode()).as("wait-seconds=%s", bad)
          .isEqualTo(400);
    }
  }

  @Test
  void everyLimitAndAuthFailureReasonIsExportedAndALimitReachedMovesItsCounter() throws Exception {
    String before = http.get("/metrics").body();
    for (Limit limit : Limit.values()) {
      assertThat(sample(before, "meshmq_limit_reached_total", "limit=\"" + limit.label() + "\"")).as(limit.label()).isPresent();
    }
    for (AuthFailure reason : AuthFailure.values()) {
      assertThat(sample(before, "meshmq_auth_failures_total", "reason=\"" + reason.label() + "\"")).as(reason.label()).isPresent();
    }
    assertThat(sample(before, "meshmq_publish_throttled_seconds_total", "")).isPresent();
    assertThat(sample(before, "meshmq_subscriptions_revoked_total", "")).isPresent();
    double levelsBefore = sample(before, "meshmq_limit_reached_total", "limit=\"topic_levels\"").orElseThrow();

    // A filter of 129 levels is over the default mqtt.max-topic-levels (128): refused, and counted.
    MqttClient c = connect("metrics-levels", null);
    String tooDeep = String.join("/", java.util.Collections.nCopies(129, "l"));
    int granted;
    try {
      granted = c.subscribeWithResponse(tooDeep, 1).getGrantedQos()[0];
    } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
      granted = e.getReasonCode();
    }
    assertThat(granted).isEqualTo(0x80);
    assertThat(sample(http.get("/metrics").body(), "meshmq_limit_reached_total", "limit=\"topic_levels\"").orElseThrow())
        .isEqualTo(levelsBefore + 1);
  }

  @Test
  void metricsShowTheCountersMovingAfterTraffic() throws Exception {
    String before = http.get("/metrics").body();
    double receivedBefore = sum(before, "meshmq_messages_received_total", "");
    double connectsBefore = sample(before, "meshmq_connections_total", "").orElseThrow();

    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient sub = connect("metrics-sub", null);
    sub.subscribe("metrics/#", 1, (t, m) -> got.add(t));
    MqttClient pub = connect("metrics-pub", null);
    for (int i = 0; i < 5; i++) {
      pub.publish("metrics/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
    }

    HttpResponse<String> r = http.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    String text = r.body();
    assertThat(sum(text, "meshmq_messages_received_total", "node=")).isGreaterThanOrEqualTo(receivedBefore + 5);
    assertThat(sum(text, "meshmq_messages_sent_total", "")).isGreaterThanOrEqualTo(5);
    assertThat(sample(text, "meshmq_publish_received_total", "").orElseThrow()).isGreaterThanOrEqualTo(5);
    assertThat(sample(text, "meshmq_received_bytes_total", "").orElseThrow()).isPositive();
    assertThat(sample(text, "meshmq_sent_bytes_total", "").orElseThrow()).isPositive();
    assertThat(sample(text, "meshmq_connections_total", "").orElseThrow()).isGreaterThanOrEqualTo(connectsBefore + 2);
    assertThat(sample(text, "meshmq_connections_current", "").orElseThrow()).isGreaterThanOrEqualTo(2);
    assertThat(sample(text, "meshmq_sessions", "").orElseThrow()).isGreaterThanOrEqualTo(2);
    assertThat(sample(text, "meshmq_subscriptions", "").orElseThrow()).isGreaterThanOrEqualTo(1);
    for (String reason : List.of("queue_full", "qos0_for_room", "expired", "too_large", "qos0_unwritable", "no_session")) {
      assertThat(sample(text, "meshmq_messages_dropped_total", "reason=\"" + reason + "\"")).as(reason).isPresent();
    }
    assertThat(sample(text, "meshmq_protocol_errors_total", "")).isPresent();
    assertThat(sample(text, "meshmq_publish_denied_total", "")).isPresent();
    assertThat(sample(text, "meshmq_retained_messages", "")).isPresent();
    assertThat(sample(text, "jvm_memory_used_bytes", "")).isPresent();
    assertThat(sample(text, "process_uptime_seconds", "")).isPresent();
    assertThat(sample(text, "meshmq_cluster_members", "")).as("no cluster meters when standalone").isEmpty();
  }

  @Test
  void theAdminApiNeedsTheToken() {
    assertThat(http.get("/api/clients").statusCode()).isEqualTo(401);
    assertThat(http.withToken("wrong").get("/api/clients").statusCode()).isEqualTo(401);
    assertThat(http.get("/api/clients").headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(admin.get("/api/clients").statusCode()).isEqualTo(200);
    // health and metrics never need it
    assertThat(http.get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void listsFindsAndDisconnectsAClient() throws Exception {
    CountDownLatch lost = new CountDownLatch(1);
    MqttClient c = connect("admin-victim", new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.countDown();
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    c.subscribe("admin/+/status", 1);

    JsonArray list = array(admin.get("/api/clients"));
    JsonObject victim = list.stream().map(JsonObject.class::cast)
        .filter(o -> o.getString("clientId").equals("admin-victim")).findFirst().orElseThrow();
    assertThat(victim.getBoolean("online")).isTrue();
    assertThat(victim.getString("node")).isNotBlank();
    assertThat(victim.getInteger("protocolVersion")).isEqualTo(4);
    assertThat(victim.getString("address")).as("the client's address").matches("127\\.0\\.0\\.1:\\d+");
    assertThat(victim.getJsonArray("subscriptions").getJsonObject(0).getString("filter")).isEqualTo("admin/+/status");
    assertThat(victim.getJsonArray("subscriptions").getJsonObject(0).getInteger("qos")).isEqualTo(1);

    HttpResponse<String> one = admin.get("/api/clients/admin-victim");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(object(one).getString("clientId")).isEqualTo("admin-victim");

    JsonArray routes = array(admin.get("/api/routes"));
    assertThat(routes.stream().map(JsonObject.class::cast))
        .anySatisfy(r -> {
          assertThat(r.getString("filter")).isEqualTo("admin/+/status");
          assertThat(r.getJsonArray("nodes").getList()).containsExactly(victim.getString("node"));
        });

    JsonArray subs = array(admin.get("/api/subscriptions"));
    assertThat(subs.stream().map(JsonObject.class::cast))
        .anySatisfy(o -> assertThat(o.getString("clientId") + " " + o.getString("filter")).isEqualTo("admin-victim admin/+/status"));

    HttpResponse<String> deleted = admin.delete("/api/clients/admin-victim");
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(lost.await(10, TimeUnit.SECONDS)).as("Paho's connectionLost").isTrue();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> admin.get("/api/clients/admin-victim").statusCode() == 404);
    assertThat(admin.delete("/api/clients/admin-victim").statusCode()).isEqualTo(404);
  }

  @Test
  void getsAndDeletesRetainedMessages() throws Exception {
    MqttClient pub = connect("retain-pub", null);
    pub.publish("retained/a/b", "hello".getBytes(StandardCharsets.UTF_8), 1, true);
    pub.publish("retained/c", new byte[] {(byte) 0xff, 0x00, (byte) 0xfe}, 0, true);

    await().atMost(Duration.ofSeconds(10)).until(() -> array(admin.get("/api/retained?filter=retained/%23")).size() == 2);
    JsonArray all = array(admin.get("/api/retained?filter=retained/%23"));
    assertThat(all.getJsonObject(0).getString("topic")).isEqualTo("retained/a/b");
    assertThat(all.getJsonObject(0).getString("payload")).isEqualTo("hello");
    assertThat(all.getJsonObject(1).getString("payloadBase64")).isEqualTo("/wD+");
    assertThat(array(admin.get("/api/retained?filter=retained/%2B/b")).size()).isEqualTo(1);
    assertThat(admin.get("/api/retained?filter=a/%23/b").statusCode()).isEqualTo(400);

    assertThat(admin.delete("/api/retained/retained/a/b").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> array(admin.get("/api/retained?filter=retained/%23")).size() == 1);
    assertThat(admin.delete("/api/retained/retained/a/b").statusCode()).isEqualTo(404);

    // a new subscriber no longer receives the deleted message
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    connect("retain-sub", null).subscribe("retained/#", 0, (t, m) -> got.add(t));
    assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("retained/c");
    assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void theClusterResourceOfAStandaloneNodeNamesItself() {
    JsonObject c = object(admin.get("/api/cluster"));
    assertThat(c.getBoolean("clustered")).isFalse();
    assertThat(c.getJsonArray("members").getList()).containsExactly(c.getString("node"));
    // No other node to move connections to.
    assertThat(admin.send("POST", "/api/rebalance").statusCode()).isEqualTo(409);
  }

  @Test
  void withoutAdminSettingsTheApiIsNotThereAndReadinessFlipsWhileStopping() throws Exception {
    RunningServer other = launch("--set", "shutdown.unready-seconds=2");
    Http h = new Http(other.httpPort());
    assertThat(h.withToken("").get("/api/clients").statusCode()).isEqualTo(404);
    assertThat(h.get("/health/ready").statusCode()).isEqualTo(200);

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(other::stop);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> h.get("/health/ready").statusCode() == 503);
    HttpResponse<String> notReady = h.get("/health/ready");
    assertThat(object(notReady).getJsonArray("failed").getList()).contains("not-draining");
    assertThat(h.get("/health/live").statusCode()).isEqualTo(200);
    stopping.get(30, TimeUnit.SECONDS);
  }
}
