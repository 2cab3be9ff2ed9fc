package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.broker.test.TestPki;
import io.meshmq.server.config.SettingsCatalogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher with the tls, ws and wss listeners configured as an operator would, relative file names included. */
class LauncherTransportTest {

  @TempDir
  Path workingDirectory;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void tlsWsAndWssListenersCarryMessagesBetweenEachOther() throws Exception {
    TestPki pki = TestPki.withServerFiles(workingDirectory);
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), workingDirectory);
    RunningServer server = launcher.start("--set", "listeners.tcp.port=0", "--set", "http.port=0",
        "--set", "listeners.tls.enabled=true", "--set", "listeners.tls.port=0",
        "--set", "listeners.tls.cert-file=broker.crt", "--set", "listeners.tls.key-file=broker.key",
        "--set", "listeners.ws.enabled=true", "--set", "listeners.ws.port=0",
        "--set", "listeners.wss.enabled=true", "--set", "listeners.wss.port=0");
    MqttConnectOptions tls = new MqttConnectOptions();
    tls.setSocketFactory(TestPki.clientContext(pki.caCertificate(), null).getSocketFactory());
    MqttClient overTls = connect("ssl://127.0.0.1:" + server.port("tls"), "launcher-tls", tls);
    MqttClient overWs = connect("ws://127.0.0.1:" + server.port("ws") + "/mqtt", "launcher-ws", new MqttConnectOptions());
    MqttClient overWss = connect("wss://127.0.0.1:" + server.port("wss") + "/mqtt", "launcher-wss", tls);
    try {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      overTls.subscribe("launcher/#", 1, (t, m) -> received.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));

      overWs.publish("launcher/ws", "from ws".getBytes(StandardCharsets.UTF_8), 1, false);
      overWss.publish("launcher/wss", "from wss".getBytes(StandardCharsets.UTF_8), 1, false);

      assertThat(new String[] {received.poll(10, TimeUnit.SECONDS), received.poll(10, TimeUnit.SECONDS)})
          .containsExactlyInAnyOrder("launcher/ws from ws", "launcher/wss from wss");
    } finally {
      for (MqttClient c : new MqttClient[] {overTls, overWs, overWss}) {
        c.disconnect();
        c.close();
      }
      server.stop();
    }
  }

  @Test
  void aTlsListenerWhoseKeyFileIsMissingStopsTheStartNamingIt() throws Exception {
    TestPki.newCa("launcher CA").server("broker").write(workingDirectory.resolve("broker.crt"), workingDirectory.resolve("other.key"));
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), workingDirectory);

    assertThatThrownBy(() -> launcher.start("--set", "listeners.tcp.port=0", "--set", "http.port=0",
        "--set", "listeners.tls.enabled=true", "--set", "listeners.tls.port=0",
        "--set", "listeners.tls.cert-file=broker.crt", "--set", "listeners.tls.key-file=missing.key"))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("listener tls")
        .hasMessageContaining(workingDirectory.resolve("missing.key").toString());
  }

  private static MqttClient connect(String uri, String id, MqttConnectOptions options) throws Exception {
    MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
    options.setCleanSession(true);
    c.connect(options);
    return c;
  }
}
