package io.meshmq.server.config;

import io.meshmq.broker.config.Setting;
import java.io.PrintWriter;
import java.util.regex.Pattern;

/**
 * Renders {@code --print-config}: every setting with its effective value, default, type, environment variable and
 * documentation. The output is itself valid YAML (flat dotted keys), so it doubles as a reference and as a starting
 * point for a configuration file.
 */
public final class ConfigPrinter {

  private static final Pattern PLAIN_SCALAR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/+-]*");
  private static final Pattern YAML_NULL = Pattern.compile("null|Null|NULL|~");

  private ConfigPrinter() {
  }

  public static void print(LoadedConfig config, PrintWriter out) {
    out.println("# MeshMQ configuration: every setting with its effective value.");
    out.println("# Precedence (later wins): defaults in code < configuration file < MESHMQ_* environment variables"
        + " < --set key=value");
    out.println("# Configuration file: " + config.configFile().map(Object::toString).orElse("none"));
    for (Setting<?> s : config.catalog().all()) {
      out.println();
      out.println("# " + s.doc());
      out.println("# type: " + s.type() + ", default: " + yamlScalar(s.format(s.defaultValue()))
          + ", env: " + s.environmentVariable());
      config.sourceOf(s).ifPresent(source -> out.println("# set by " + source));
      out.println(s.key() + ": " + yamlScalar(s.format(config.settings().get(s))));
    }
    out.flush();
  }

  /** Quotes a value only when YAML would otherwise read it differently (empty, null-like, special characters). */
  static String yamlScalar(String value) {
    if (PLAIN_SCALAR.matcher(value).matches() && !YAML_NULL.matcher(value).matches()) {
      return value;
    }
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\t' -> quoted.append("\\t");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }
}
