package io.meshmq.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which configuration file to read: {@code --config FILE}, else {@code $MESHMQ_CONFIG}, else
 * {@code conf/broker.yaml} if it exists, else none (built-in defaults only).
 */
public final class ConfigFileLocator {

  /** Read when present, so that running from the distribution directory needs no option. */
  public static final Path DEFAULT_FILE = Path.of("conf", "broker.yaml");

  private ConfigFileLocator() {
  }

  /**
   * @param option           the --config value, or null
   * @param environment      the process environment
   * @param workingDirectory what relative paths are relative to
   * @return the file to read; an explicitly named file is returned even if missing, so that the loader reports it
   */
  public static Optional<Path> locate(Path option, Map<String, String> environment, Path workingDirectory) {
    if (option != null) {
      return Optional.of(workingDirectory.resolve(option).normalize());
    }
    String fromEnvironment = environment.get(EnvironmentOverrides.CONFIG_FILE_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Optional.of(workingDirectory.resolve(fromEnvironment.trim()).normalize());
    }
    Path fallback = workingDirectory.resolve(DEFAULT_FILE).normalize();
    return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
  }
}
