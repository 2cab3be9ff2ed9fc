package io.meshmq.server.config;

import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.config.SettingsCatalog;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the effective settings from, in increasing precedence: the defaults declared in code, the YAML file,
 * {@code MESHMQ_*} environment variables and {@code --set key=value} arguments.
 *
 * <p>Every value is validated in the source that gives it, even if a later source overrides it: a broken file
 * is reported now rather than on the day the override is removed. All problems are reported together in one
 * {@link InvalidSettingException}, one line per problem naming the key, the problem and the source.
 */
public final class ConfigLoader {

  private final SettingsCatalog catalog;

  public ConfigLoader(SettingsCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * @param configFile   the YAML file to read, if any; it must exist
   * @param environment  the process environment (a parameter so that tests can pass their own)
   * @param setArguments the values of the --set options, each "key=value"
   * @throws InvalidSettingException listing every problem found
   */
  public LoadedConfig load(Optional<Path> configFile, Map<String, String> environment, List<String> setArguments) {
    ConfigProblems problems = new ConfigProblems();
    Settings settings = Settings.defaults();
    Map<String, String> sources = new HashMap<>();

    // Each layer is read only after the previous one is applied, so that problems are listed in source order.
    List<Supplier<List<RawSetting>>> layers = List.of(
        () -> configFile.map(file -> YamlConfigFile.read(file, problems)).orElse(List.of()),
        () -> EnvironmentOverrides.read(environment, catalog, problems),
        () -> SetArguments.read(setArguments, problems));
    for (Supplier<List<RawSetting>> layer : layers) {
      for (RawSetting raw : layer.get()) {
        settings = apply(settings, raw, sources, problems);
      }
    }
    problems.throwIfAny();
    return new LoadedConfig(catalog, settings, sources, configFile);
  }

  private Settings apply(Settings settings, RawSetting raw, Map<String, String> sources, ConfigProblems problems) {
    Setting<?> setting = catalog.find(raw.key());
    if (setting == null) {
      if (raw.value() == null && isSection(raw.key())) {
        return settings; // a section whose entries are all commented out, e.g. "listeners:" alone
      }
      problems.add(raw.key(), unknownKeyProblem(raw.key()), raw.source());
      return settings;
    }
    try {
      Settings updated = settings.with(setting, raw.value());
      sources.put(setting.key(), raw.source());
      return updated;
    } catch (InvalidSettingException e) {
      problems.add(e, raw.source());
      return settings;
    }
  }

  private String unknownKeyProblem(String key) {
    if (isSection(key)) {
      List<String> children = catalog.all().stream().map(Setting::key).filter(k -> k.startsWith(key + ".")).toList();
      return "is a group of settings, not a setting; give one of " + String.join(", ", children);
    }
    List<String> keys = catalog.all().stream().map(Setting::key).toList();
    return "unknown setting" + KeySuggestions.closest(key, keys).map(k -> "; did you mean " + k + "?").orElse("")
        + " (--print-config lists every setting)";
  }

  private boolean isSection(String key) {
    return catalog.all().stream().anyMatch(s -> s.key().startsWith(key + "."));
  }
}
