package io.meshmq.server.config;

import io.meshmq.broker.config.Setting;
import java.util.ArrayList;
import java.util.List;

/** The start-up log's view of the configuration: one {@code key = value} line per setting. */
public final class EffectiveConfiguration {

  private EffectiveConfiguration() {
  }

  /** One line per setting in catalog order; values not from the defaults end with the source that set them. */
  public static List<String> lines(LoadedConfig config) {
    int width = config.catalog().all().stream().mapToInt(s -> s.key().length()).max().orElse(0);
    List<String> lines = new ArrayList<>();
    for (Setting<?> s : config.catalog().all()) {
      // quoted like in YAML when needed, so that an empty value is visible as ""
      String value = ConfigPrinter.yamlScalar(s.format(config.settings().get(s)));
      if (s == ServerSettings.ADMIN_TOKEN && !config.settings().get(ServerSettings.ADMIN_TOKEN).isEmpty()) {
        value = "(set, not shown)"; // a secret never goes to the log
      }
      String line = String.format("%-" + width + "s = %s", s.key(), value);
      lines.add(config.sourceOf(s).map(source -> line + "   <- " + source).orElse(line));
    }
    return lines;
  }
}
