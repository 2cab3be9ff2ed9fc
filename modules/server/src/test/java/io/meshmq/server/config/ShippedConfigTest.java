package io.meshmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files under conf/ at the repository root must stay in step with the code. */
class ShippedConfigTest {

  // Tests run in modules/server.
  private static final Path CONF = Path.of("../../conf");
  private static final Path BROKER_YAML = CONF.resolve("broker.yaml");

  // A commented-out setting: '#', indentation in steps of two, a key and a colon. Prose has "# " (one space).
  private static final Pattern COMMENTED_SETTING = Pattern.compile("^#((?:  )*[a-z][a-z0-9-]*:.*)$");

  @TempDir
  Path dir;

  private final ConfigLoader loader = new ConfigLoader(SettingsCatalogs.all());

  @Test
  void shippedBrokerYamlLoadsWithoutErrorAndOverridesNothing() {
    LoadedConfig config = loader.load(Optional.of(BROKER_YAML), Map.of(), List.of());

    assertThat(config.settings().overrides()).isEmpty();
  }

  @Test
  void theDefaultsShownInShippedBrokerYamlAreRealKeysWithTheRealDefaults() throws IOException {
    String uncommented = Files.readAllLines(BROKER_YAML).stream()
        .map(COMMENTED_SETTING::matcher)
        .filter(Matcher::matches)
        .map(m -> m.group(1))
        .collect(Collectors.joining("\n"));
    Path file = Files.writeString(dir.resolve("uncommented.yaml"), uncommented);

    Settings settings = loader.load(Optional.of(file), Map.of(), List.of()).settings();

    assertThat(settings.overrides().keySet()).as("keys shown in broker.yaml")
        .contains("listeners.tcp.host", "listeners.tcp.port", "mqtt.max-packet-size", "log.level",
            "shutdown.grace-seconds");
    for (Setting<?> s : SettingsCatalogs.all().all()) {
      assertThat(settings.get(s)).as("value shown for %s in broker.yaml", s.key()).isEqualTo(s.defaultValue());
    }
  }

  @Test
  void theLogbackConfigurationInTheJarIsTheOneInConf() throws IOException {
    assertThat(Path.of("src/main/resources/logback.xml")).hasSameTextualContentAs(CONF.resolve("logback.xml"));
  }
}
