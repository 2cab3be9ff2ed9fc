package io.meshmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.BrokerSettings.SharedStrategy;
import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private final ConfigLoader loader = new ConfigLoader(SettingsCatalogs.all());

  @Test
  void withNoSourcesEverySettingHasItsDefault() {
    LoadedConfig config = loader.load(Optional.empty(), Map.of(), List.of());

    assertThat(config.settings().overrides()).isEmpty();
    assertThat(config.settings().get(BrokerSettings.TCP_PORT)).isEqualTo(1883);
    assertThat(config.settings().get(ServerSettings.SHUTDOWN_GRACE_SECONDS)).isEqualTo(30);
    assertThat(config.sources()).isEmpty();
  }

  @Test
  void precedenceIsDefaultThenFileThenEnvironmentThenSetArguments() throws IOException {
    Path file = yaml("""
        listeners:
          tcp:
            port: 1001
            host: 10.0.0.1
        mqtt:
          max-inflight: 7
        """);
    Map<String, String> env = Map.of(
        "MESHMQ_LISTENERS_TCP_PORT", "1002",
        "MESHMQ_LISTENERS_TCP_HOST", "10.0.0.2");

    Settings settings = loader.load(Optional.of(file), env, List.of("listeners.tcp.port=1003")).settings();

    assertThat(settings.get(BrokerSettings.TCP_PORT)).as("--set beats env and file").isEqualTo(1003);
    assertThat(settings.get(BrokerSettings.TCP_HOST)).as("env beats file").isEqualTo("10.0.0.2");
    assertThat(settings.get(BrokerSettings.MAX_INFLIGHT)).as("file beats default").isEqualTo(7);
    assertThat(settings.get(BrokerSettings.MAX_QUEUED_MESSAGES)).as("default").isEqualTo(1000);
  }

  @Test
  void recordsTheSourceThatWonForEachOverride() throws IOException {
    Path file = yaml("listeners.tcp.port: 1001\nmqtt.max-inflight: 7\n");

    LoadedConfig config = loader.load(Optional.of(file), Map.of("MESHMQ_MQTT_MAX_INFLIGHT", "8"),
        List.of("node.id=n1"));

    assertThat(config.sourceOf(BrokerSettings.TCP_PORT)).contains("file " + file);
    assertThat(config.sourceOf(BrokerSettings.MAX_INFLIGHT)).contains("environment variable MESHMQ_MQTT_MAX_INFLIGHT");
    assertThat(config.sourceOf(BrokerSettings.NODE_ID)).contains("--set node.id=n1");
    assertThat(config.sourceOf(BrokerSettings.TCP_HOST)).isEmpty();
  }

  @Test
  void yamlKeysMayBeNestedFlatOrMixed() throws IOException {
    Path file = yaml("""
        listeners:
          tcp.port: 1884
        listeners.tcp.host: 0.0.0.0
        mqtt:
          retain-available: no
          shared-subscription-strategy: sticky
        sys:
          interval-seconds: 0
        """);

    Settings settings = loader.load(Optional.of(file), Map.of(), List.of()).settings();

    assertThat(settings.get(BrokerSettings.TCP_PORT)).isEqualTo(1884);
    assertThat(settings.get(BrokerSettings.TCP_HOST)).isEqualTo("0.0.0.0");
    assertThat(settings.get(BrokerSettings.RETAIN_AVAILABLE)).isFalse();
    assertThat(settings.get(BrokerSettings.SHARED_STRATEGY)).isEqualTo(SharedStrategy.STICKY);
    assertThat(settings.get(BrokerSettings.SYS_INTERVAL_SECONDS)).isZero();
  }

  @Test
  void yamlScalarsStayTextSoYaml11SurprisesCannotHappen() throws IOException {
    Path file = yaml("node:\n  id: 0755\n");

    Settings settings = loader.load(Optional.of(file), Map.of(), List.of()).settings();

    assertThat(settings.get(BrokerSettings.NODE_ID)).as("not read as an octal number").isEqualTo("0755");
  }

  @Test
  void byteSizesAcceptUnits() throws IOException {
    Path file = yaml("mqtt.max-packet-size: 256KiB\n");

    Settings fromFile = loader.load(Optional.of(file), Map.of(), List.of()).settings();
    Settings fromEnv = loader.load(Optional.empty(), Map.of("MESHMQ_MQTT_MAX_PACKET_SIZE", "1MiB"), List.of())
        .settings();

    assertThat(fromFile.get(BrokerSettings.MAX_PACKET_SIZE)).isEqualTo(262_144);
    assertThat(fromEnv.get(BrokerSettings.MAX_PACKET_SIZE)).isEqualTo(1_048_576);
  }

  @Test
  void emptyOrCommentOnlyFileMeansNoOverrides() throws IOException {
    for (String content : List.of("", "# nothing here\n", "---\n", "listeners:\n  # tcp:\n  #   port: 1\n")) {
      Path file = yaml(content);

      assertThat(loader.load(Optional.of(file), Map.of(), List.of()).settings().overrides())
          .as("file content %s", content).isEmpty();
    }
  }

  @Test
  void unknownYamlKeyIsAnErrorNamingTheKeyAndTheFile() throws IOException {
    Path file = yaml("listeners:\n  tcp:\n    prot: 1884\n");

    InvalidSettingException e = failure(() -> loader.load(Optional.of(file), Map.of(), List.of()));

    assertThat(e.key()).isEqualTo("listeners.tcp.prot");
    assertThat(e.getMessage())
        .contains("'listeners.tcp.prot'")
        .contains("unknown setting")
        .contains("did you mean listeners.tcp.port?")
        .contains(file.toString());
  }

  @Test
  void aGroupGivenAValueIsAnErrorListingItsSettings() throws IOException {
    Path file = yaml("listeners.tcp: 1884\n");

    InvalidSettingException e = failure(() -> loader.load(Optional.of(file), Map.of(), List.of()));

    assertThat(e.getMessage()).contains("'listeners.tcp'", "listeners.tcp.host", "listeners.tcp.port");
  }

  @Test
  void unknownMeshmqEnvironmentVariableIsAnErrorNamingIt() {
    Map<String, String> env = Map.of("MESHMQ_LISTENERS_TCP_PROT", "1884", "PATH", "/bin", "HOME", "/root");

    InvalidSettingException e = failure(() -> loader.load(Optional.empty(), env, List.of()));

    assertThat(e.key()).isEqualTo("MESHMQ_LISTENERS_TCP_PROT");
    assertThat(e.getMessage())
        .contains("MESHMQ_LISTENERS_TCP_PROT")
        .contains("did you mean MESHMQ_LISTENERS_TCP_PORT?")
        .doesNotContain("PATH");
  }

  @Test
  void reservedEnvironmentVariablesAreNotSettings() {
    LoadedConfig config = loader.load(Optional.empty(), Map.of("MESHMQ_CONFIG", "/etc/meshmq.yaml"), List.of());

    assertThat(config.settings().overrides()).isEmpty();
  }

  @Test
  void portOutOfRangeIsAnErrorNamingTheKeyAndTheSource() throws IOException {
    Path file = yaml("listeners.tcp.port: 70000\n");

    InvalidSettingException e = failure(() -> loader.load(Optional.of(file), Map.of(), List.of()));

    assertThat(e.key()).isEqualTo("listeners.tcp.port");
    assertThat(e.getMessage()).isEqualTo("Invalid configuration 'listeners.tcp.port': must be between 0 and 65535, "
        + "got 70000 [file " + file + "]");
  }

  @Test
  void textForAnIntegerIsAnErrorNamingTheKeyAndTheVariable() {
    InvalidSettingException e = failure(() ->
        loader.load(Optional.empty(), Map.of("MESHMQ_MQTT_MAX_INFLIGHT", "abc"), List.of()));

    assertThat(e.key()).isEqualTo("mqtt.max-inflight");
    assertThat(e.getMessage()).contains("'mqtt.max-inflight'", "must be a whole number, got 'abc'",
        "environment variable MESHMQ_MQTT_MAX_INFLIGHT");
  }

  @Test
  void badSetArgumentsAreErrorsNamingTheArgument() {
    InvalidSettingException e = failure(() ->
        loader.load(Optional.empty(), Map.of(), List.of("listeners.tcp.port", "mqtt.max-packet-size=lots")));

    assertThat(e.getMessage())
        .contains("'listeners.tcp.port': expected --set key=value")
        .contains("'mqtt.max-packet-size': must be a size in bytes such as 262144 or 256KiB, got 'lots'"
            + " [--set mqtt.max-packet-size=lots]");
  }

  @Test
  void setValuesMayContainEqualsSigns() {
    Settings settings = loader.load(Optional.empty(), Map.of(), List.of("node.id=a=b")).settings();

    assertThat(settings.get(BrokerSettings.NODE_ID)).isEqualTo("a=b");
  }

  @Test
  void everyProblemOfEverySourceIsReportedAtOnce() throws IOException {
    Path file = yaml("""
        listeners:
          tcp:
            port: 70000
        mqtt:
          max-inflihgt: 3
        """);
    Map<String, String> env = Map.of("MESHMQ_MQTT_MAX_QUEUED_MESSAGES", "abc", "MESHMQ_NO_SUCH_THING", "1");
    List<String> sets = List.of("mqtt.retain-available=maybe", "bogus.key=1");

    InvalidSettingException e = failure(() -> loader.load(Optional.of(file), env, sets));

    assertThat(e.getMessage().lines()).hasSize(6);
    assertThat(e.getMessage().lines()).allSatisfy(line -> assertThat(line).startsWith("Invalid configuration '"));
    assertThat(e.getMessage())
        .contains("'listeners.tcp.port': must be between 0 and 65535, got 70000 [file " + file + "]")
        .contains("'mqtt.max-inflihgt': unknown setting")
        .contains("'mqtt.max-queued-messages': must be a whole number, got 'abc'"
            + " [environment variable MESHMQ_MQTT_MAX_QUEUED_MESSAGES]")
        .contains("'MESHMQ_NO_SUCH_THING'")
        .contains("'mqtt.retain-available': must be true or false, got 'maybe' [--set mqtt.retain-available=maybe]")
        .contains("'bogus.key': unknown setting");
    assertThat(e.getSuppressed()).hasSize(6)
        .extracting(t -> ((InvalidSettingException) t).key())
        .containsExactly("listeners.tcp.port", "mqtt.max-inflihgt", "MESHMQ_NO_SUCH_THING",
            "mqtt.max-queued-messages", "mqtt.retain-available", "bogus.key");
  }

  @Test
  void aValueIsValidatedEvenWhenALaterSourceOverridesIt() throws IOException {
    Path file = yaml("listeners.tcp.port: 70000\n");

    assertThatThrownBy(() -> loader.load(Optional.of(file), Map.of(), List.of("listeners.tcp.port=1884")))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("70000");
  }

  @Test
  void aKeyWrittenBothNestedAndFlatIsAnError() throws IOException {
    Path file = yaml("listeners:\n  tcp:\n    port: 1\nlisteners.tcp.port: 2\n");

    assertThat(failure(() -> loader.load(Optional.of(file), Map.of(), List.of())).getMessage())
        .contains("'listeners.tcp.port': given more than once");
  }

  @Test
  void aSettingWithoutValueIsAnError() throws IOException {
    Path file = yaml("listeners:\n  tcp:\n    port:\n");

    assertThat(failure(() -> loader.load(Optional.of(file), Map.of(), List.of())).getMessage())
        .contains("'listeners.tcp.port': has no value");
  }

  @Test
  void listsAndNonMapDocumentsAreErrors() throws IOException {
    Path withList = yaml("listeners.tcp.port: [1883, 1884]\n");
    Path listDocument = yaml("- a\n- b\n");

    assertThat(failure(() -> loader.load(Optional.of(withList), Map.of(), List.of())).getMessage())
        .contains("'listeners.tcp.port': a single value is expected, not a list");
    assertThat(failure(() -> loader.load(Optional.of(listDocument), Map.of(), List.of())).getMessage())
        .contains("must be a map of settings");
  }

  @Test
  void malformedYamlIsAnErrorNamingTheFile() throws IOException {
    Path file = yaml("listeners:\n  tcp: [unclosed\n");

    InvalidSettingException e = failure(() -> loader.load(Optional.of(file), Map.of(), List.of()));

    assertThat(e.getMessage()).contains(file.toString(), "not valid YAML", "line");
  }

  @Test
  void yamlTagsNamingJavaClassesAreRefused() throws IOException {
    Path file = yaml("node.id: !!java.io.File [\"/etc/passwd\"]\n");

    assertThat(failure(() -> loader.load(Optional.of(file), Map.of(), List.of())).getMessage())
        .contains(file.toString(), "not valid YAML");
  }

  @Test
  void aMissingConfigFileIsAnError() {
    Path missing = dir.resolve("nope.yaml");

    assertThat(failure(() -> loader.load(Optional.of(missing), Map.of(), List.of())).getMessage())
        .contains(missing.toString(), "configuration file not found");
  }

  @Test
  void effectiveConfigurationMarksValuesThatAreNotDefaults() {
    LoadedConfig config = loader.load(Optional.empty(), Map.of(), List.of("listeners.tcp.port=0"));

    List<String> lines = EffectiveConfiguration.lines(config);

    assertThat(lines).hasSize(config.catalog().all().size());
    assertThat(lines).anySatisfy(line ->
        assertThat(line).matches("listeners\\.tcp\\.port *= 0   <- --set listeners\\.tcp\\.port=0"));
    assertThat(lines).anySatisfy(line -> assertThat(line).matches("listeners\\.tcp\\.host *= 127\\.0\\.0\\.1"));
  }

  private Path yaml(String content) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "broker", ".yaml"), content);
  }

  private static InvalidSettingException failure(Runnable load) {
    InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, load::run);
    assertThat(e).as("an InvalidSettingException").isNotNull();
    return e;
  }
}
