package io.meshmq.broker.it.transport;

import static io.meshmq.broker.it.transport.TransportClients.WAIT_SECONDS;
import static io.meshmq.broker.it.transport.TransportClients.bytes;
import static io.meshmq.broker.it.transport.TransportClients.closeQuietly;
import static io.meshmq.broker.it.transport.TransportClients.paho;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT over WebSocket from a real browser: headless chromium (Debian's package, driven by playwright-core) loads a
 * page that uses MQTT.js's browser bundle to subscribe and publish through the broker, and exchanges messages with
 * a Java client over TCP. src/test/browser/install.sh installs chromium and the npm packages (into
 * ~/.cache/meshmq/browser-test); where it cannot, the test is skipped with the reason.
 */
class BrowserWebSocketTest {

  private static final Path BROWSER_DIR = Path.of("src/test/browser").toAbsolutePath();
  private static final Path NPM_DIR = Path.of(System.getProperty("user.home"), ".cache", "meshmq", "browser-test");

  private static String chromium;

  private BrokerFixture broker;
  private HttpServer pages;

  @BeforeAll
  static void installBrowser() throws Exception {
    Process install = new ProcessBuilder("bash", BROWSER_DIR.resolve("install.sh").toString(), NPM_DIR.toString())
        .redirectErrorStream(true).start();
    List<String> output = lines(install);
    boolean finished = install.waitFor(10, TimeUnit.MINUTES);
    Assumptions.assumeTrue(finished && install.exitValue() == 0 && !output.isEmpty(),
        () -> "chromium or the npm packages could not be installed: " + String.join("\n", output));
    chromium = output.get(output.size() - 1).trim();
  }

  @BeforeEach
  void start() {
    broker = BrokerFixture.start(BrokerSettings.WS_ENABLED, true, BrokerSettings.WS_PORT, 0);
    pages = broker.vertx().createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/" -> req.response().putHeader("Content-Type", "text/html").sendFile(BROWSER_DIR.resolve("page.html").toString());
        case "/mqtt.min.js" -> req.response().putHeader("Content-Type", "text/javascript")
            .sendFile(NPM_DIR.resolve("node_modules/mqtt/dist/mqtt.min.js").toString());
        case "/favicon.ico" -> req.response().setStatusCode(204).end();
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    pages.close().await();
    broker.close();
  }

  @Test
  void aPageUsingMqttJsInChromiumSubscribesAndPublishesOverWebSocket() throws Exception {
    MqttClient java = paho(broker.tcpUri(), "java-side", null, null, null);
    BlockingQueue<String> fromBrowser = new LinkedBlockingQueue<>();
    java.subscribe("browser/out", 1, (topic, m) -> fromBrowser.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    String page = "http://127.0.0.1:" + pages.actualPort() + "/?broker=ws://127.0.0.1:" + broker.broker().port("ws") + "/mqtt";
    ProcessBuilder pb = new ProcessBuilder("node", BROWSER_DIR.resolve("drive.cjs").toString(), page, chromium);
    pb.environment().put("NODE_PATH", NPM_DIR.resolve("node_modules").toString());
    Process driver = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).as("the page subscribed").isEqualTo("subscribed");
      java.publish("browser/in", bytes("from java"), 1, false);

      String result = out.readLine();
      assertThat(driver.waitFor(60, TimeUnit.SECONDS)).as("driver finished").isTrue();
      assertThat(result).as("the page's result").isNotNull();
      JsonObject r = new JsonObject(result);
      assertThat(r.getJsonArray("errors")).isEmpty();
      assertThat(r.getBoolean("connected")).isTrue();
      assertThat(r.getJsonArray("received").getList()).as("received in the browser")
          .containsExactlyInAnyOrder("browser/echo hello from the browser", "browser/in from java");
      assertThat(driver.exitValue()).isZero();
      assertThat(fromBrowser.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("to java from the browser");
    } finally {
      driver.destroyForcibly();
      closeQuietly(java);
    }
  }

  private static List<String> lines(Process p) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
