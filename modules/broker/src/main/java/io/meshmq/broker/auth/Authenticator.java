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

  /** The verdict; {@code reason} says why a refused client was refused (for the log, never sent to it). */
  record AuthResult(boolean allowed, boolean badCredentials, String reason) {
    public static final AuthResult ALLOWED = new AuthResult(true, false, null);

    public static AuthResult badCredentials(String reason) {
      return new AuthResult(false, true, reason);
    }

    public static AuthResult notAuthorized(String reason) {
      return new AuthResult(false, false, reason);
    }
  }

  /** Lets everyone in: the default until a password file or provider is configured. */
  Authenticator ALLOW_ALL = request -> Future.succeededFuture(AuthResult.ALLOWED);
}
