package io.meshmq.broker.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable set of validated setting values over the defaults declared in code. Only overrides are
 * stored; {@link #get} falls back to the setting's default.
 */
public final class Settings {

  private static final Settings DEFAULTS = new Settings(Map.of());

  private final Map<String, Object> overrides;

  private Settings(Map<String, Object> overrides) {
    this.overrides = overrides;
  }

  public static Settings defaults() {
    return DEFAULTS;
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    Object v = overrides.get(setting.key());
    return v == null ? setting.defaultValue() : (T) v;
  }

  public boolean isOverridden(Setting<?> setting) {
    return overrides.containsKey(setting.key());
  }

  /** A copy with one more override; the raw value is converted and validated now. */
  public <T> Settings with(Setting<T> setting, Object rawValue) {
    Map<String, Object> copy = new LinkedHashMap<>(overrides);
    copy.put(setting.key(), setting.parse(rawValue));
    return new Settings(Collections.unmodifiableMap(copy));
  }

  /** A copy with one more override, looked up by key in the catalog; an unknown key is an error naming it. */
  public Settings with(SettingsCatalog catalog, String key, Object rawValue) {
    return with(catalog.require(key), rawValue);
  }

  /** Every setting of the catalog with its effective value, sorted by key, for the start-up log. */
  public Map<String, String> effective(SettingsCatalog catalog) {
    Map<String, String> out = new TreeMap<>();
    for (Setting<?> s : catalog.all()) {
      out.put(s.key(), s.format(get(s)) + (isOverridden(s) ? "" : " (default)"));
    }
    return out;
  }

  public Map<String, Object> overrides() {
    return overrides;
  }

  @Override
  public String toString() {
    return "Settings" + overrides;
  }

  /** Convenience for tests: {@code Settings.of(BrokerSettings.X, 5, BrokerSettings.Y, "a")}. */
  public static Settings of(Object... settingValuePairs) {
    Settings s = DEFAULTS;
    List<Object> list = List.of(settingValuePairs);
    for (int i = 0; i + 1 < list.size(); i += 2) {
      s = s.with((Setting<?>) list.get(i), list.get(i + 1));
    }
    return s;
  }
}
