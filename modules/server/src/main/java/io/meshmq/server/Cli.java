package io.meshmq.server;

import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.server.config.ConfigPrinter;
import io.meshmq.server.config.LoadedConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code meshmq} command: maps the command line to exit codes and to what goes to stdout and stderr. */
@Command(name = "meshmq", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
    description = "Runs a MeshMQ MQTT broker node.",
    footer = {"",
        "Precedence, later wins: defaults in code < config file < environment < --set.",
        "Environment variables: MESHMQ_ + key upper-cased with '.' and '-' as '_',",
        "  e.g. MESHMQ_LISTENERS_TCP_PORT=1884 sets listeners.tcp.port.",
        "Exit codes: 1 failed to start, 2 invalid configuration or arguments,",
        "  3 stopped because Hazelcast stopped under the node (its clients were",
        "  disconnected first); stopped by a signal, the JVM's 128 + signal after",
        "  the graceful stop (143 for SIGTERM, 130 for SIGINT).",
        "Password file tool: java -jar meshmq.jar passwd FILE add|remove|list [USER]."})
final class Cli implements Callable<Integer> {

  static final int OK = 0;
  static final int START_FAILED = 1;
  static final int INVALID_CONFIGURATION = 2; // same as picocli's code for bad arguments
  static final int LOST_CLUSTER = 3;

  @Mixin
  private LaunchOptions options = new LaunchOptions();

  @Option(names = "--print-config",
      description = "Print every setting with its effective value, default, environment variable and description, "
          + "then exit.")
  private boolean printConfig;

  private final Launcher launcher;
  private final PrintWriter out;
  private final PrintWriter err;

  Cli(Launcher launcher, PrintWriter out, PrintWriter err) {
    this.launcher = launcher;
    this.out = out;
    this.err = err;
  }

  /** Runs the command; when it starts a broker, returns only once the broker has been stopped. */
  int execute(String... args) {
    CommandLine commandLine = new CommandLine(this).setOut(out).setErr(err);
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    LoadedConfig config;
    try {
      config = launcher.configure(options);
    } catch (InvalidSettingException e) {
      err.println(e.getMessage()); // the message lists every problem; a stack trace would only hide it
      return INVALID_CONFIGURATION;
    }
    if (printConfig) {
      ConfigPrinter.print(config, out);
      return OK;
    }
    RunningServer server;
    try {
      server = launcher.start(config);
    } catch (InvalidSettingException e) { // settings valid one by one that do not fit together (e.g. TLS without a key)
      err.println(e.getMessage());
      return INVALID_CONFIGURATION;
    } catch (StartupException e) {
      err.println(e.getMessage());
      return START_FAILED;
    }
    ShutdownHook.install(server);
    server.awaitStopped();
    return server.lostCluster() ? LOST_CLUSTER : OK;
  }
}
