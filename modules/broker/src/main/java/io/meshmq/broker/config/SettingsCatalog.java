package io.meshmq.broker.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** All settings a process knows, by key; each module contributes the settings it declares. */
public final class SettingsCatalog {

  private final Map<String, Setting<?>> byKey = new LinkedHashMap<>();

  public SettingsCatalog(Collection<? extends Collection<Setting<?>>> groups) {
    for (Collection<Setting<?>> group : groups) {
      for (Setting<?> s : group) {
        if (byKey.putIfAbsent(s.key(), s) != null) {
          throw new IllegalStateException("Setting declared twice: " + s.key());
        }
      }
    }
  }

  public List<Setting<?>> all() {
    return Collections.unmodifiableList(new ArrayList<>(byKey.values()));
  }

  public Setting<?> find(String key) {
    return byKey.get(key);
  }

  public Setting<?> require(String key) {
    Setting<?> s = byKey.get(key);
    if (s == null) {
      throw new InvalidSettingException(key, "unknown setting");
    }
    return s;
  }

  /** The setting overridden by an environment variable name, or null. */
  public Setting<?> forEnvironmentVariable(String name) {
    for (Setting<?> s : byKey.values()) {
      if (s.environmentVariable().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
