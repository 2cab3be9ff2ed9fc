package io.meshmq.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The command-line options that shape the configuration; shared by {@link Cli} and {@link Launcher#start(String...)}. */
public final class LaunchOptions {

  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML file of overrides (default: $MESHMQ_CONFIG, else conf/broker.yaml if present, else none)")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one setting; wins over the file and the environment. Repeatable.")
  List<String> sets = new ArrayList<>();

  /** Parses arguments that contain only these options. */
  public static LaunchOptions parse(String... args) {
    LaunchOptions options = new LaunchOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  public Path configFile() {
    return configFile;
  }

  public List<String> sets() {
    return List.copyOf(sets);
  }
}
