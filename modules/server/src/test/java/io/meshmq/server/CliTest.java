package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.server.config.ConfigLoader;
import io.meshmq.server.config.SettingsCatalogs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  @TempDir
  Path workDir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void printConfigListsEverySettingWithValueDefaultVariableAndDoc() {
    int code = run(Map.of(), "--print-config");

    assertThat(code).isZero();
    assertThat(err.toString()).isEmpty();
    for (Setting<?> s : SettingsCatalogs.all().all()) {
      assertThat(out.toString())
          .contains("\n" + s.key() + ": ")
          .contains("# " + s.doc() + "\n")
          .contains("env: " + s.environmentVariable() + "\n");
    }
    assertThat(out.toString())
        .contains("# type: int [0..65535], default: 1883, env: MESHMQ_LISTENERS_TCP_PORT\nlisteners.tcp.port: 1883\n")
        .contains("node.id: \"\"\n");
  }

  @Test
  void printConfigShowsOverridesAndWhereTheyComeFrom() {
    int code = run(Map.of("MESHMQ_LOG_LEVEL", "debug"), "--print-config", "--set", "listeners.tcp.port=1884");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("# set by --set listeners.tcp.port=1884\nlisteners.tcp.port: 1884\n")
        .contains("# set by environment variable MESHMQ_LOG_LEVEL\nlog.level: debug\n");
  }

  @Test
  void printConfigOutputIsItselfAValidConfigurationFile() throws IOException {
    run(Map.of(), "--print-config", "--set", "mqtt.max-packet-size=1MiB", "--set", "node.id=n 1");
    Path printed = Files.writeString(workDir.resolve("printed.yaml"), out.toString());

    Settings reloaded = new ConfigLoader(SettingsCatalogs.all()).load(Optional.of(printed), Map.of(), List.of())
        .settings();

    assertThat(reloaded.get(BrokerSettings.MAX_PACKET_SIZE)).isEqualTo(1_048_576);
    assertThat(reloaded.get(BrokerSettings.NODE_ID)).isEqualTo("n 1");
    assertThat(reloaded.get(BrokerSettings.TCP_PORT)).isEqualTo(1883);
  }

  @Test
  void theConfigFileInTheWorkingDirectoryIsReadByDefault() throws IOException {
    Files.createDirectories(workDir.resolve("conf"));
    Files.writeString(workDir.resolve("conf/broker.yaml"), "listeners:\n  tcp:\n    port: 1999\n");

    run(Map.of(), "--print-config");

    assertThat(out.toString())
        .contains("# Configuration file: " + workDir.resolve("conf/broker.yaml"))
        .contains("listeners.tcp.port: 1999\n");
  }

  @Test
  void invalidConfigurationExitsWithCode2AndListsEveryProblemWithoutStackTrace() throws IOException {
    Path file = Files.writeString(workDir.resolve("bad.yaml"), "listeners.tcp.prot: 1884\n");

    int code = run(Map.of("MESHMQ_MQTT_MAX_INFLIGHT", "abc"), "--config", file.toString(),
        "--set", "listeners.tcp.port=70000");

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .contains("'listeners.tcp.prot': unknown setting", file.toString())
        .contains("'mqtt.max-inflight': must be a whole number, got 'abc'", "MESHMQ_MQTT_MAX_INFLIGHT")
        .contains("'listeners.tcp.port': must be between 0 and 65535, got 70000")
        .doesNotContain("\tat ", "Exception");
  }

  @Test
  void aTlsListenerWithoutItsCertificateExitsWithCode2NamingTheSetting() {
    int code = run(Map.of(), "--set", "listeners.tcp.port=0", "--set", "listeners.tls.enabled=true");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("'listeners.tls.cert-file': must name a PEM file when listeners.tls.enabled is true")
        .doesNotContain("\tat ");
  }

  @Test
  void aMissingConfigFileExitsWithCode2() {
    int code = run(Map.of("MESHMQ_CONFIG", "nowhere.yaml"));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("nowhere.yaml", "configuration file not found");
  }

  @Test
  void helpListsTheOptions() {
    int code = run(Map.of(), "--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("--config", "--set", "--print-config", "--help", "MESHMQ_");
  }

  @Test
  void anUnknownOptionExitsWithCode2() {
    int code = run(Map.of(), "--bogus");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--bogus");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aBrokerThatCannotStartExitsWithCode1() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int code = run(Map.of(), "--set", "listeners.tcp.host=127.0.0.1",
          "--set", "listeners.tcp.port=" + taken.getLocalPort());

      assertThat(code).isEqualTo(1);
      assertThat(err.toString()).startsWith("MeshMQ failed to start: ").doesNotContain("\tat ");
    }
  }

  private int run(Map<String, String> env, String... args) {
    Launcher launcher = new Launcher(SettingsCatalogs.all(), env, workDir);
    return new Cli(launcher, new PrintWriter(out), new PrintWriter(err)).execute(args);
  }
}
