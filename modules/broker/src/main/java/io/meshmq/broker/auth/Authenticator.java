package io.meshmq.broker.auth;

import io.vertx.core.Future;

/**
 * Decides whether a CONNECT is let in. Asynchronous so that password files, HTTP or JWT providers fit; the
 * broker fails closed: a failed future or one that does not complete within the configured time refuses the
 * client.
 */
public interface Authenticator {

  Future<AuthResult> authenticate(ConnectRequest request);

  /**
   * What a client presented in CONNECT, and the listener it came through. When {@code transport} says the
   * username was taken from a client certificate, the TLS handshake has already verified it against the CA.
   */
  record ConnectRequest(String clientId, String username, byte[] password, String remoteAddress, int protocolVersion,
                        ClientTransport transport) {
  }

  /** Why a client was refused, as far as the provider can tell (for metrics; the CONNACK code follows badCredentials). */
  enum Refusal {
    NONE,
    /** Unknown user or wrong password. */
    BAD_CREDENTIALS,
    /** Refused without a check because its source failed too often. */
    BLOCKED,
    /** No username (or none that can be checked) while anonymous access is not allowed. */
    ANONYMOUS,
    /** Any other refusal. */
    NOT_AUTHORIZED
  }

  /** The verdict; {@code reason} says why a refused client was refused (for the log, never sent to it). */
  record AuthResult(boolean allowed, boolean badCredentials, String reason, Refusal refusal) {
    public static final AuthResult ALLOWED = new AuthResult(true, false, null, Refusal.NONE);

    public AuthResult(boolean allowed, boolean badCredentials, String reason) {
      this(allowed, badCredentials, reason,
          allowed ? Refusal.NONE : badCredentials ? Refusal.BAD_CREDENTIALS : Refusal.NOT_AUTHORIZED);
    }

    public static AuthResult badCredentials(String reason) {
      return new AuthResult(false, true, reason);
    }

    public static AuthResult notAuthorized(String reason) {
      return new AuthResult(false, false, reason);
    }

    /** Refused at once because the client's source reached a failed-login limit (answered as not authorized). */
    public static AuthResult blocked(String reason) {
      return new AuthResult(false, false, reason, Refusal.BLOCKED);
    }

    /** Refused because anonymous access is not allowed (answered as not authorized). */
    public static AuthResult anonymousRefused(String reason) {
      return new AuthResult(false, false, reason, Refusal.ANONYMOUS);
    }
  }

  /** Lets everyone in: the default until a password file or provider is configured. */
  Authenticator ALLOW_ALL = request -> Future.succeededFuture(AuthResult.ALLOWED);
}
