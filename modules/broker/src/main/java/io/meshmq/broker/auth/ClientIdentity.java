package io.meshmq.broker.auth;

/**
 * Who a connection is, as far as authentication established it; handed to the authorizer.
 * {@code usernameFromCertificate}: the username is the name in a client certificate the TLS handshake verified,
 * so it is trustworthy even without a password file.
 */
public record ClientIdentity(String clientId, String username, String remoteAddress, int protocolVersion,
                             boolean usernameFromCertificate) {
}
