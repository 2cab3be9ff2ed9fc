package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshmq.server.config.SettingsCatalogs;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hazelcast stops under a running cluster node (as it does on an OutOfMemoryError): the node disconnects its clients
 * and closes its MQTT listener instead of acknowledging what it can no longer store, and the server stops with its
 * own exit status.
 */
class LauncherLostClusterTest {

  @TempDir
  Path workingDirectory;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aNodeWhoseHazelcastStopsTakesItsClientsDownAndStops() throws Exception {
    String cluster = "lost-cluster-" + UUID.randomUUID();
    Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), workingDirectory);
    RunningServer server = launcher.start("--set", "cluster.enabled=true", "--set", "cluster.name=" + cluster,
        "--set", "cluster.port=5795", "--set", "listeners.tcp.port=0", "--set", "http.port=0");
    int port = server.mqttPort();
    MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "left-behind", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setAutomaticReconnect(false);
    client.connect(o);

    instanceOf(cluster).getLifecycleService().terminate();

    await("the client disconnected").atMost(Duration.ofSeconds(20)).until(() -> !client.isConnected());
    await("the server stopped").atMost(Duration.ofSeconds(40)).until(() -> server.isStopping());
    server.awaitStopped();
    assertThat(server.lostCluster()).isTrue();
    assertThat(refused(port)).as("MQTT port %s closed", port).isTrue();
  }

  private static HazelcastInstance instanceOf(String clusterName) {
    return Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getConfig().getClusterName().equals(clusterName))
        .findFirst().orElseThrow();
  }

  private static boolean refused(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }
}
