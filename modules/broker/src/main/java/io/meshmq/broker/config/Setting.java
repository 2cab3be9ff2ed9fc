package io.meshmq.broker.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration setting: its dotted key, type, default, documentation and validation, declared once
 * in code. Configuration files and environment variables only ever carry overrides of these defaults.
 */
public final class Setting<T> {

  private final String key;
  private final String type;
  private final T defaultValue;
  private final String doc;
  private final Function<Object, T> parser;

  private Setting(String key, String type, T defaultValue, String doc, Function<Object, T> parser) {
    this.key = Objects.requireNonNull(key);
    this.type = type;
    this.defaultValue = defaultValue;
    this.doc = doc;
    this.parser = parser;
  }

  public static Setting<Integer> intSetting(String key, int defaultValue, int min, int max, String doc) {
    return new Setting<>(key, "int [" + min + ".." + max + "]", defaultValue, doc, raw -> {
      long v = parseLong(raw);
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + v);
      }
      return (int) v;
    });
  }

  public static Setting<Long> longSetting(String key, long defaultValue, long min, long max, String doc) {
    return new Setting<>(key, "long [" + min + ".." + max + "]", defaultValue, doc, raw -> {
      long v = parseLong(raw);
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    });
  }

  /** A size in bytes; accepts a plain number or a number with a KiB/MiB/GiB (or KB/MB/GB, k/m/g) suffix. */
  public static Setting<Integer> byteSizeSetting(String key, int defaultValue, int min, int max, String doc) {
    return new Setting<>(key, "bytes [" + min + ".." + max + "]", defaultValue, doc, raw -> {
      long v = parseByteSize(raw);
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + " bytes, got " + v);
      }
      return (int) v;
    });
  }

  public static Setting<Boolean> booleanSetting(String key, boolean defaultValue, String doc) {
    return new Setting<>(key, "boolean", defaultValue, doc, raw -> {
      if (raw instanceof Boolean b) {
        return b;
      }
      String s = raw.toString().trim().toLowerCase(Locale.ROOT);
      switch (s) {
        case "true", "yes", "on", "1" -> { return true; }
        case "false", "no", "off", "0" -> { return false; }
        default -> throw new IllegalArgumentException("must be true or false, got '" + raw + "'");
      }
    });
  }

  public static Setting<String> stringSetting(String key, String defaultValue, String doc) {
    return new Setting<>(key, "string", defaultValue, doc, Object::toString);
  }

  public static <E extends Enum<E>> Setting<E> enumSetting(String key, E defaultValue, String doc) {
    Class<E> type = defaultValue.getDeclaringClass();
    StringBuilder names = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      names.append(names.length() == 0 ? "" : "|").append(externalName(e));
    }
    return new Setting<>(key, names.toString(), defaultValue, doc, raw -> {
      String s = raw.toString().trim();
      for (E e : type.getEnumConstants()) {
        if (externalName(e).equalsIgnoreCase(s) || e.name().equalsIgnoreCase(s)) {
          return e;
        }
      }
      throw new IllegalArgumentException("must be one of " + names + ", got '" + raw + "'");
    });
  }

  /** The spelling of an enum constant in configuration files: lower case with dashes. */
  public static String externalName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String key() {
    return key;
  }

  public String type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** The environment variable that overrides this setting: {@code MESHMQ_} + key upper-cased, dots and dashes as underscores. */
  public String environmentVariable() {
    return environmentVariableFor(key);
  }

  public static String environmentVariableFor(String key) {
    return "MESHMQ_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Converts a raw value (from YAML, an environment variable or the command line) and validates it. */
  public T parse(Object raw) {
    if (raw == null) {
      throw new InvalidSettingException(key, "has no value");
    }
    try {
      return parser.apply(raw);
    } catch (InvalidSettingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidSettingException(key, e.getMessage());
    }
  }

  /** Renders a value the way it would be written in configuration. */
  public String format(Object value) {
    return value instanceof Enum<?> e ? externalName(e) : String.valueOf(value);
  }

  private static long parseLong(Object raw) {
    if (raw instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(raw.toString().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number, got '" + raw + "'");
    }
  }

  private static long parseByteSize(Object raw) {
    if (raw instanceof Number n) {
      return n.longValue();
    }
    String s = raw.toString().trim().replace("_", "");
    String lower = s.toLowerCase(Locale.ROOT);
    long unit = 1;
    String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
        {"kb", "1000"}, {"mb", "1000000"}, {"gb", "1000000000"},
        {"k", "1024"}, {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}};
    for (String[] u : units) {
      if (lower.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length()).trim();
        break;
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(s), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("must be a size in bytes such as 262144 or 256KiB, got '" + raw + "'");
    }
  }

  @Override
  public String toString() {
    return key;
  }
}
