package io.meshmq.server.config;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.SettingsCatalog;
import io.meshmq.cluster.ClusterSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The catalog of every setting the server process understands. */
public final class SettingsCatalogs {

  private SettingsCatalogs() {
  }

  /** A new catalog of the broker's, the cluster's and the launcher's settings. */
  public static SettingsCatalog all() {
    SettingsCatalog catalog = new SettingsCatalog(List.of(BrokerSettings.all(), ClusterSettings.all(), ServerSettings.all()));
    checkEnvironmentVariablesAreUnambiguous(catalog);
    return catalog;
  }

  // Keys "a.b" and "a-b" would share MESHMQ_A_B, and a key "config" would collide with MESHMQ_CONFIG; either
  // would make an environment variable mean two things, so such a catalog is a programming error.
  private static void checkEnvironmentVariablesAreUnambiguous(SettingsCatalog catalog) {
    Map<String, String> keyByVariable = new HashMap<>();
    for (Setting<?> s : catalog.all()) {
      String variable = s.environmentVariable();
      if (EnvironmentOverrides.RESERVED_VARIABLES.contains(variable)) {
        throw new IllegalStateException("Setting " + s.key() + " maps to the reserved variable " + variable);
      }
      String other = keyByVariable.putIfAbsent(variable, s.key());
      if (other != null) {
        throw new IllegalStateException("Settings " + other + " and " + s.key() + " both map to " + variable);
      }
    }
  }
}
