package io.meshmq.server.config;

import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.config.SettingsCatalog;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of loading the configuration: validated settings plus where each override came from, so that the
 * start-up log and --print-config can say why a value is what it is.
 *
 * @param catalog    every known setting
 * @param settings   the effective settings
 * @param sources    for each overridden key, the source that won, e.g. "environment variable MESHMQ_NODE_ID"
 * @param configFile the configuration file that was read, if any
 */
public record LoadedConfig(SettingsCatalog catalog, Settings settings, Map<String, String> sources,
                           Optional<Path> configFile) {

  public LoadedConfig {
    sources = Map.copyOf(sources);
  }

  /** Where the value of a setting comes from; empty when it is the default declared in code. */
  public Optional<String> sourceOf(Setting<?> setting) {
    return Optional.ofNullable(sources.get(setting.key()));
  }
}
