package io.meshmq.broker.security;

import static io.meshmq.broker.config.BrokerSettings.AUTH_ACL_FILE;
import static io.meshmq.broker.config.BrokerSettings.AUTH_ALLOW_ANONYMOUS;
import static io.meshmq.broker.config.BrokerSettings.AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK;
import static io.meshmq.broker.config.BrokerSettings.AUTH_FAILED_LOGIN_LIMIT;
import static io.meshmq.broker.config.BrokerSettings.AUTH_FAILED_LOGIN_WINDOW_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.AUTH_PASSWORD_FILE;
import static io.meshmq.broker.config.BrokerSettings.TCP_HOST;
import static io.meshmq.broker.config.BrokerSettings.TLS_CERT_AS_USERNAME;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings.AnonymousAccess;
import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.listener.ListenerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
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
    AnonymousAccess anonymous = settings.get(AUTH_ALLOW_ANONYMOUS);
    List<ListenerSpec> listeners = ListenerSpec.enabled(settings);
    FailedLoginLimiter limiter = new FailedLoginLimiter(settings.get(AUTH_FAILED_LOGIN_LIMIT),
        settings.get(AUTH_FAILED_LOGIN_WINDOW_SECONDS) * 1000L, System::currentTimeMillis,
        settings.get(AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK));
    Authenticator authenticator = new FileAuthenticator(passwords == null ? null : passwords::current, anonymous, limiter);
    Authorizer authorizer = Authorizer.ALLOW_ALL;
    if (acl != null) {
      FileAuthorizer fileAuthorizer = new FileAuthorizer(acl::current, passwords != null);
      acl.onChange(fileAuthorizer::rulesChanged);
      authorizer = fileAuthorizer;
    }
    log.info("Authentication: password file {}; anonymous clients: {}; client certificates as usernames: {}; "
            + "authorization: {}",
        passwords == null ? "none" : baseDirectory.resolve(settings.get(AUTH_PASSWORD_FILE).trim()) + " ("
            + passwords.current().size() + " users)",
        anonymousByListener(anonymous, listeners),
        settings.get(TLS_CERT_AS_USERNAME) == CertificateUsername.NONE ? "no"
            : Setting.externalName(settings.get(TLS_CERT_AS_USERNAME)) + " on the TLS listeners",
        acl == null ? "no ACL file, everything allowed" : "ACL file " + baseDirectory.resolve(aclName(settings)) + " ("
            + acl.current().size() + " rules, default deny)");
    boolean anyAnonymous = listeners.stream().anyMatch(l -> anonymousAllowed(anonymous, l.loopback()));
    boolean certificates = listeners.stream().anyMatch(l -> l.tls() != null && l.tls().certAsUsername() != CertificateUsername.NONE);
    if (!anyAnonymous && passwords == null && !certificates) {
      log.warn("Anonymous clients are refused, no password file is set (auth.password-file) and no listener takes "
          + "usernames from client certificates: no client can connect");
    }
    return new SecurityProviders(authenticator, authorizer, timer, passwords, acl);
  }

  private static String aclName(Settings settings) {
    return settings.get(AUTH_ACL_FILE).trim();
  }

  private static String anonymousByListener(AnonymousAccess anonymous, List<ListenerSpec> listeners) {
    return listeners.stream()
        .map(l -> l.name() + " " + (anonymousAllowed(anonymous, l.loopback()) ? "allowed" : "refused")
            + (anonymous == AnonymousAccess.LOOPBACK_ONLY && !l.loopback()
                ? " (" + l.host() + " is not loopback; set auth.allow-anonymous=true to allow them)" : ""))
        .collect(Collectors.joining(", "));
  }

  /**
   * The anonymous rule on the plain TCP listener; see {@link #anonymousAllowed(AnonymousAccess, boolean)}.
   */
  public static boolean anonymousAllowed(Settings settings) {
    return anonymousAllowed(settings.get(AUTH_ALLOW_ANONYMOUS), isLoopback(settings.get(TCP_HOST)));
  }

  /**
   * The anonymous rule, applied per listener: {@code auth.allow-anonymous=loopback-only} (the default) allows
   * anonymous clients only on a listener whose host is a loopback address, so the shipped default refuses them on
   * a listener bound beyond loopback (0.0.0.0, a LAN address...); {@code true} allows them on any listener,
   * {@code false} on none.
   */
  public static boolean anonymousAllowed(AnonymousAccess rule, boolean loopbackListener) {
    return switch (rule) {
      case TRUE -> true;
      case FALSE -> false;
      case LOOPBACK_ONLY -> loopbackListener;
    };
  }

  /** Whether every address {@code host} names is a loopback address (0.0.0.0 and unresolvable names are not). */
  static boolean isLoopback(String host) {
    return ListenerSpec.isLoopback(host);
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
