package io.meshmq.server;

import io.meshmq.broker.Broker;
import io.meshmq.cluster.ClusterNode;
import io.meshmq.cluster.ClusterSettings;
import io.vertx.core.Future;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.config.SettingsCatalog;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.server.config.ConfigFileLocator;
import io.meshmq.server.config.ConfigLoader;
import io.meshmq.server.config.EffectiveConfiguration;
import io.meshmq.server.config.LoadedConfig;
import io.meshmq.server.config.ServerSettings;
import io.meshmq.server.http.HttpListener;
import io.meshmq.server.http.OpsTarget;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns options and an environment into a running broker node: loads the configuration, applies the log level,
 * creates Vert.x and starts the {@link Broker}. The environment and working directory are parameters rather than
 * read from the process, so that tests and embedding applications can start nodes side by side.
 */
public final class Launcher {

  private static final Logger log = LoggerFactory.getLogger(Launcher.class);

  private final SettingsCatalog catalog;
  private final Map<String, String> environment;
  private final Path workingDirectory;

  public Launcher(SettingsCatalog catalog, Map<String, String> environment, Path workingDirectory) {
    this.catalog = catalog;
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory.toAbsolutePath();
  }

  /**
   * Loads the configuration the options describe.
   *
   * @throws InvalidSettingException listing every configuration problem
   */
  public LoadedConfig configure(LaunchOptions options) {
    return new ConfigLoader(catalog).load(
        ConfigFileLocator.locate(options.configFile(), environment, workingDirectory), environment, options.sets());
  }

  /**
   * Parses command-line style arguments ({@code --config}, {@code --set}), loads the configuration and starts.
   *
   * @throws InvalidSettingException listing every configuration problem
   * @throws StartupException        if the broker does not start
   */
  public RunningServer start(String... args) {
    return start(configure(LaunchOptions.parse(args)));
  }

  /**
   * Starts a broker node with a loaded configuration; returns once its listeners are bound.
   *
   * @throws InvalidSettingException if settings do not fit together (a TLS listener without its files...)
   * @throws StartupException if the broker does not start; Vert.x is closed again before it is thrown
   */
  public RunningServer start(LoadedConfig config) {
    Settings settings = withTlsFilesInWorkingDirectory(config.settings());
    LogLevels.setRootLevel(settings.get(ServerSettings.LOG_LEVEL));
    logConfiguration(config);

    SecurityProviders security = security(settings);
    if (settings.get(ClusterSettings.ENABLED)) {
      try {
        ClusterNode node = ClusterNode.start(settings, security.authenticator(), security.authorizer()).await();
        closeWithVertx(node.vertx(), security);
        // ClusterNode.stop stops the broker and then leaves the cluster and closes Vert.x.
        RunningServer server = new RunningServer(node.broker()::port, node::stop, Future::succeededFuture, settings);
        RunningServer running = withHttpListener(server, node.vertx(), new OpsTarget(node.broker(), node, server::isStopping));
        // The node took its clients down already; the process ends (stop blocks: not on a Vert.x thread).
        node.lost().onSuccess(why -> new Thread(() -> running.stopLostCluster(why), "meshmq-lost-cluster").start());
        return running;
      } catch (StartupException e) {
        throw e;
      } catch (Exception e) { // ClusterNode.start closes what it opened before failing
        security.close();
        throw new StartupException("MeshMQ failed to join the cluster: " + describe(e), e);
      }
    }
    Vertx vertx = Vertx.vertx(vertxOptions(settings));
    Broker broker;
    try {
      closeWithVertx(vertx, security);
      broker = Broker.start(vertx, settings, security.authenticator(), security.authorizer()).await();
    } catch (Exception e) { // Future.await() rethrows the failure as is, checked or not
      security.close();
      closeQuietly(vertx);
      throw new StartupException("MeshMQ failed to start: " + describe(e), e);
    }
    RunningServer server = new RunningServer(vertx, broker, settings);
    return withHttpListener(server, vertx, new OpsTarget(broker, null, server::isStopping));
  }

  /** Relative certificate file names are in the working directory, like the password and ACL files. */
  private Settings withTlsFilesInWorkingDirectory(Settings settings) {
    for (Setting<String> file : List.of(BrokerSettings.TLS_CERT_FILE, BrokerSettings.TLS_KEY_FILE, BrokerSettings.TLS_CA_FILE)) {
      String name = settings.get(file).trim();
      if (!name.isEmpty()) {
        settings = settings.with(file, workingDirectory.resolve(name).toString());
      }
    }
    return settings;
  }

  /** Starts the health/metrics/admin HTTP listener; a listener that cannot start stops the server again. */
  private static RunningServer withHttpListener(RunningServer server, Vertx vertx, OpsTarget target) {
    HttpListener http = new HttpListener(target, server.settings());
    try {
      vertx.deployVerticle(http).await();
    } catch (Exception e) {
      server.stop();
      throw new StartupException("MeshMQ failed to start its HTTP listener on "
          + server.settings().get(ServerSettings.HTTP_HOST) + ":" + server.settings().get(ServerSettings.HTTP_PORT)
          + ": " + describe(e), e);
    }
    server.httpPort(http.actualPort());
    return server;
  }

  /** The authenticator and authorizer from the {@code auth.*} settings; relative file names are in the working directory. */
  private SecurityProviders security(Settings settings) {
    try {
      return SecurityProviders.fromSettings(settings, workingDirectory);
    } catch (InvalidSettingException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new StartupException("MeshMQ failed to start: " + e.getMessage(), e);
    }
  }

  /** Stops reloading the password and ACL files when Vert.x closes (a verticle is undeployed then). */
  private static void closeWithVertx(Vertx vertx, SecurityProviders security) {
    vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> stop() {
        security.close();
        return Future.succeededFuture();
      }
    }).await();
  }

  private static VertxOptions vertxOptions(Settings settings) {
    VertxOptions options = new VertxOptions();
    int eventLoops = settings.get(BrokerSettings.EVENT_LOOPS);
    if (eventLoops > 0) { // 0 keeps the Vert.x default of 2 x CPU cores
      options.setEventLoopPoolSize(eventLoops);
    }
    return options;
  }

  private static void logConfiguration(LoadedConfig config) {
    log.info("Configuration file: {}; '<- source' marks values that are not the defaults",
        config.configFile().map(Object::toString).orElse("none (defaults, environment and --set only)"));
    EffectiveConfiguration.lines(config).forEach(line -> log.info("  {}", line));
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly after the failed start", e);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }
}
