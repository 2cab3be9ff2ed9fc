package io.meshmq.server.config;

import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.SettingsCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads settings from {@code MESHMQ_*} environment variables. Every such variable must name a setting: a misspelt
 * variable would otherwise be ignored silently, which in a container is very hard to notice.
 */
final class EnvironmentOverrides {

  static final String PREFIX = "MESHMQ_";

  /** The path of the configuration file (used instead of conf/broker.yaml). */
  static final String CONFIG_FILE_VARIABLE = "MESHMQ_CONFIG";

  /** MESHMQ_ variables that are not settings. */
  static final Set<String> RESERVED_VARIABLES = Set.of(CONFIG_FILE_VARIABLE);

  private EnvironmentOverrides() {
  }

  static List<RawSetting> read(Map<String, String> environment, SettingsCatalog catalog, ConfigProblems problems) {
    List<String> known = catalog.all().stream().map(Setting::environmentVariable).toList();
    List<RawSetting> out = new ArrayList<>();
    // sorted so that problems are reported in a stable order whatever the map
    for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
      String variable = e.getKey();
      if (!variable.startsWith(PREFIX) || RESERVED_VARIABLES.contains(variable)) {
        continue;
      }
      String source = "environment variable " + variable;
      Setting<?> setting = catalog.forEnvironmentVariable(variable);
      if (setting == null) {
        String hint = KeySuggestions.closest(variable, known).map(k -> "did you mean " + k + "?")
            .orElse("variables are MESHMQ_ + a key upper-cased with '.' and '-' as '_'; --print-config lists them");
        problems.add(variable, "no setting maps to this environment variable; " + hint, source);
      } else {
        out.add(new RawSetting(setting.key(), e.getValue(), source));
      }
    }
    return out;
  }
}
