package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.server.config.SettingsCatalogs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cluster node that cannot start its broker leaves the cluster again and says why, instead of hanging. */
class LauncherClusterStartFailureTest {

  @TempDir
  Path workingDirectory;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aClusterNodeWhoseMqttPortIsTakenFailsNamingTheListener() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Launcher launcher = new Launcher(SettingsCatalogs.all(), Map.of(), workingDirectory);
      assertThatThrownBy(() -> launcher.start("--set", "cluster.enabled=true",
          "--set", "cluster.name=start-failure-" + UUID.randomUUID(), "--set", "cluster.port=5790",
          "--set", "listeners.tcp.port=" + taken.getLocalPort(), "--set", "http.port=0"))
          .isInstanceOf(StartupException.class)
          .hasMessageContaining("listener tcp")
          .hasMessageContaining(String.valueOf(taken.getLocalPort()));
    }
  }
}
