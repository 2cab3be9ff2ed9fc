package io.meshmq.broker.security;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.config.BrokerSettings.AnonymousAccess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks CONNECT credentials against a password file (see {@link PasswordFile}), applies the anonymous rule and the
 * failed-login limit per source address.
 * <ul>
 *   <li>A username taken from a client certificate (listeners.tls.cert-as-username): let in, the TLS handshake
 *   verified the certificate.</li>
 *   <li>No username: anonymous, let in only if anonymous access is allowed (else CONNACK 0x05 / 0x87).</li>
 *   <li>A username and no password file configured: the username cannot be checked, so the client counts as
 *   anonymous (and the ACL ignores its username).</li>
 *   <li>A username with a password file: the password must match its hash (else 0x04 / 0x86, counted as a failed
 *   login). An unknown user costs the same time as a wrong password.</li>
 *   <li>An address that reached the failed-login limit is refused at once (0x05 / 0x87) without a password check.</li>
 * </ul>
 * The hash check is slow by design and runs on a worker thread, never on the event loop.
 */
public final class FileAuthenticator implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(FileAuthenticator.class);

  private final Supplier<PasswordFile> passwords;
  private final AnonymousAccess anonymous;
  private final FailedLoginLimiter limiter;

  /**
   * @param passwords the current users, or null when no password file is configured
   */
  public FileAuthenticator(Supplier<PasswordFile> passwords, AnonymousAccess anonymous, FailedLoginLimiter limiter) {
    this.passwords = passwords;
    this.anonymous = anonymous;
    this.limiter = limiter;
  }

  @Override
  public Future<AuthResult> authenticate(ConnectRequest request) {
    String user = request.username();
    if (request.transport().usernameFromCertificate()) {
      return Future.succeededFuture(AuthResult.ALLOWED);
    }
    if (user == null || passwords == null) {
      if (SecurityProviders.anonymousAllowed(anonymous, request.transport().loopbackListener())) {
        return Future.succeededFuture(AuthResult.ALLOWED);
      }
      String where = anonymous == AnonymousAccess.LOOPBACK_ONLY
          ? " on listener " + request.transport().listener() + ", which is not bound to loopback only" : "";
      return Future.succeededFuture(AuthResult.anonymousRefused(user == null ? "anonymous access is not allowed" + where
          : "anonymous access is not allowed" + where + " (no password file to check user '" + user + "')"));
    }
    String host = FailedLoginLimiter.hostOf(request.remoteAddress());
    if (limiter.isBlocked(host)) {
      if (limiter.shouldLogBlock(host)) {
        log.warn("Logins from {} refused without a password check: {} failed logins within {} s (logged once per window)",
            host, limiter.limit(), limiter.windowMillis() / 1000);
      }
      return Future.succeededFuture(AuthResult.blocked("too many failed logins from " + host));
    }
    String hash = passwords.get().hashOf(user);
    byte[] password = request.password();
    Callable<Boolean> check = () -> {
      boolean ok = PasswordHasher.verify(hash != null ? hash : DummyHash.VALUE, password);
      return ok && hash != null && password != null;
    };
    return offEventLoop(check).map(ok -> {
      if (ok) {
        return AuthResult.ALLOWED;
      }
      if (limiter.recordFailure(host)) {
        log.warn("{} failed logins from {} within {} s: further logins from it are refused without a check",
            limiter.limit(), host, limiter.windowMillis() / 1000);
      }
      return AuthResult.badCredentials(hash == null ? "unknown user '" + user + "'" : "wrong password for user '" + user + "'");
    });
  }

  private static <T> Future<T> offEventLoop(Callable<T> task) {
    Context context = Vertx.currentContext();
    if (context != null) {
      return context.executeBlocking(task, false);
    }
    try {
      return Future.succeededFuture(task.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** A hash to check unknown users against, so that they take as long as known ones. */
  private static final class DummyHash {
    static final String VALUE = PasswordHasher.hash("not a password".toCharArray());
  }
}
