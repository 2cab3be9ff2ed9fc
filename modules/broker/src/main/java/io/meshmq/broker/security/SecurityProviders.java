package io.meshmq.broker.security;

import static io.meshmq.broker.config.BrokerSettings.AUTH_ACL_FILE;
import static io.meshmq.broker.config.BrokerSettings.AUTH_ALLOW_ANONYMOUS;
import static io.meshmq.broker.config.BrokerSettings.AUTH_FAILED_LOGIN_LIMIT;
import static io.meshmq.broker.config.BrokerSettings.AUTH_FAILED_LOGIN_WINDOW_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.AUTH_PASSWORD_FILE;
import static io.meshmq.broker.config.BrokerSettings.TCP_HOST;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings.AnonymousAccess;
import io.meshmq.broker.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticator and authorizer that the {@code auth.*} settings describe, and the background thread that
 * reloads their files. Close it when the broker stops.
 */
public final class SecurityProviders implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SecurityProviders.class);
  /** How often the password and ACL files are checked for changes. */
  public static final long RELOAD_INTERVAL_MILLIS = 2_000;

  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final ScheduledExecutorService timer;
  private final ReloadingFile<PasswordFile> passwordFile;
  private final ReloadingFile<Acl> aclFile;

  private SecurityProviders(Authenticator authenticator, Authorizer authorizer, ScheduledExecutorService timer,
                            ReloadingFile<PasswordFile> passwordFile, ReloadingFile<Acl> aclFile) {
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.timer = timer;
    this.passwordFile = passwordFile;
    this.aclFile = aclFile;
  }

  /**
   * Reads the configured files (relative paths are resolved against {@code baseDirectory}).
   *
   * @throws IllegalArgumentException if a configured file cannot be read or is invalid
   */
  public static SecurityProviders fromSettings(Settings settings, Path baseDirectory) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshmq-auth-files");
      t.setDaemon(true);
      return t;
    });
    ReloadingFile<PasswordFile> passwords = null;
    ReloadingFile<Acl> acl = null;
    try {
      String pw = settings.get(AUTH_PASSWORD_FILE).trim();
      if (!pw.isEmpty()) {
        Path path = baseDirectory.resolve(pw);
        passwords = new ReloadingFile<>(path, "password file",
            bytes -> PasswordFile.parse(path.toString(), new String(bytes, StandardCharsets.UTF_8).lines().toList()),
            timer, RELOAD_INTERVAL_MILLIS);
      }
      String aclName = settings.get(AUTH_ACL_FILE).trim();
      if (!aclName.isEmpty()) {
        Path path = baseDirectory.resolve(aclName);
        acl = new ReloadingFile<>(path, "ACL file", bytes -> Acl.parse(path.toString(), bytes), timer,
            RELOAD_INTERVAL_MILLIS);
      }
    } catch (RuntimeException e) {
      if (passwords != null) {
        passwords.close();
      }
      timer.shutdownNow();
      throw e;
    }
    boolean anonymous = anonymousAllowed(settings);
    FailedLoginLimiter limiter = new FailedLoginLimiter(settings.get(AUTH_FAILED_LOGIN_LIMIT),
        settings.get(AUTH_FAILED_LOGIN_WINDOW_SECONDS) * 1000L, System::currentTimeMillis);
    Authenticator authenticator = new FileAuthenticator(passwords == null ? null : passwords::current, anonymous, limiter);
    Authorizer authorizer = Authorizer.ALLOW_ALL;
    if (acl != null) {
      FileAuthorizer fileAuthorizer = new FileAuthorizer(acl::current, passwords != null);
      acl.onChange(fileAuthorizer::rulesChanged);
      authorizer = fileAuthorizer;
    }
    log.info("Authentication: password file {}, anonymous clients {}{}; authorization: {}",
        passwords == null ? "none" : baseDirectory.resolve(settings.get(AUTH_PASSWORD_FILE).trim()) + " ("
            + passwords.current().size() + " users)",
        anonymous ? "allowed" : "refused",
        !anonymous && settings.get(AUTH_ALLOW_ANONYMOUS) == AnonymousAccess.LOOPBACK_ONLY ? " (listener " + settings.get(TCP_HOST)
            + " is not loopback; set auth.allow-anonymous=true to allow them)" : "",
        acl == null ? "no ACL file, everything allowed" : "ACL file " + baseDirectory.resolve(aclName(settings)) + " ("
            + acl.current().size() + " rules, default deny)");
    if (!anonymous && passwords == null) {
      log.warn("Anonymous clients are refused and no password file is set (auth.password-file): no client can connect");
    }
    return new SecurityProviders(authenticator, authorizer, timer, passwords, acl);
  }

  private static String aclName(Settings settings) {
    return settings.get(AUTH_ACL_FILE).trim();
  }

  /**
   * The anonymous rule: {@code auth.allow-anonymous=loopback-only} (the default) allows anonymous clients only while
   * the MQTT listener's host is a loopback address, so the shipped default refuses them on a listener bound beyond
   * loopback (0.0.0.0, a LAN address...); {@code true} allows them on any interface, {@code false} nowhere.
   */
  public static boolean anonymousAllowed(Settings settings) {
    return switch (settings.get(AUTH_ALLOW_ANONYMOUS)) {
      case TRUE -> true;
      case FALSE -> false;
      case LOOPBACK_ONLY -> isLoopback(settings.get(TCP_HOST));
    };
  }

  /** Whether every address {@code host} names is a loopback address (0.0.0.0 and unresolvable names are not). */
  static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(host.trim());
      if (all.length == 0) {
        return false;
      }
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  /** Checks the files for changes now (the timer does it every {@link #RELOAD_INTERVAL_MILLIS}). */
  public void reloadNow() {
    if (passwordFile != null) {
      passwordFile.poll();
    }
    if (aclFile != null) {
      aclFile.poll();
    }
  }

  @Override
  public void close() {
    if (passwordFile != null) {
      passwordFile.close();
    }
    if (aclFile != null) {
      aclFile.close();
    }
    timer.shutdownNow();
  }
}
