package io.meshmq.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a YAML configuration file into dotted keys: nested maps are flattened ({@code listeners: {tcp: {port: 1884}}}
 * gives {@code listeners.tcp.port}), and dotted keys may also be written flat. Problems are reported, not thrown.
 */
final class YamlConfigFile {

  private YamlConfigFile() {
  }

  static List<RawSetting> read(Path file, ConfigProblems problems) {
    String source = "file " + file;
    Object document;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      document = newYaml().load(reader);
    } catch (NoSuchFileException e) {
      problems.add(file.toString(), "configuration file not found", source);
      return List.of();
    } catch (IOException e) {
      problems.add(file.toString(), "configuration file cannot be read: " + e, source);
      return List.of();
    } catch (YAMLException e) {
      problems.add(file.toString(), "not valid YAML: " + e.getMessage(), source);
      return List.of();
    }
    if (document == null) {
      return List.of(); // empty or comments only: no overrides
    }
    if (!(document instanceof Map<?, ?> map)) {
      problems.add(file.toString(), "must be a map of settings (key: value), not a " + describe(document), source);
      return List.of();
    }
    List<RawSetting> out = new ArrayList<>();
    flatten("", map, source, out, problems);
    reportKeysGivenTwice(out, source, problems);
    return out;
  }

  private static void flatten(String prefix, Map<?, ?> map, String source, List<RawSetting> out, ConfigProblems problems) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      Object value = e.getValue();
      if (value instanceof Map<?, ?> nested) {
        flatten(key + ".", nested, source, out, problems);
      } else if (value == null || value instanceof String) {
        out.add(new RawSetting(key, (String) value, source));
      } else if (value instanceof Number || value instanceof Boolean) {
        out.add(new RawSetting(key, value.toString(), source)); // only with an explicit tag such as !!int
      } else {
        problems.add(key, "a single value is expected, not a " + describe(value), source);
      }
    }
  }

  // The same key written both nested and flat would otherwise be silently decided by the order in the file.
  private static void reportKeysGivenTwice(List<RawSetting> settings, String source, ConfigProblems problems) {
    Set<String> seen = new HashSet<>();
    Set<String> reported = new HashSet<>();
    for (RawSetting s : settings) {
      if (!seen.add(s.key()) && reported.add(s.key())) {
        problems.add(s.key(), "given more than once", source);
      }
    }
  }

  private static String describe(Object value) {
    if (value instanceof List<?>) {
      return "list";
    }
    return value.getClass().getSimpleName();
  }

  /**
   * A loader that builds only maps, lists and strings. Plain scalars stay text so that a value means the same
   * in the file, in an environment variable and in --set (each setting parses its own text), and so that YAML 1.1
   * surprises cannot happen: {@code 0755} read as octal, {@code no} as false, {@code 2024-01-01} as a Date.
   * SafeConstructor refuses tags naming Java classes.
   */
  private static Yaml newYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(20);
    return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options,
        new NullOnlyResolver());
  }

  /** Resolves a plain scalar to null when empty or null/~, and to a string otherwise. */
  private static final class NullOnlyResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, EMPTY, null, 10);
      addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
    }
  }
}
