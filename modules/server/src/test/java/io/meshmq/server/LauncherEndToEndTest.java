package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The launcher starting a real broker on a free port, exercised by a real MQTT client. */
class LauncherEndToEndTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void startsABrokerThatRoutesAMessageAndStops() throws Exception {
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), Path.of("."));
    RunningServer server = launcher.start("--set", "listeners.tcp.port=0", "--set", "listeners.tcp.host=127.0.0.1",
        "--set", "http.port=0");
    try {
      assertThat(server.mqttPort()).isPositive();
      MqttClient client = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "launcher-e2e", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      client.connect(options);
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      client.subscribe("meshmq/e2e", 1,
          (topic, message) -> received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));

      client.publish("meshmq/e2e", "hello".getBytes(StandardCharsets.UTF_8), 1, false);

      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("meshmq/e2e hello");
      client.disconnect();
      client.close();
    } finally {
      server.stop();
    }
  }
}
