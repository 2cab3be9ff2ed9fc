package io.meshmq.broker.auth;

/**
 * The listener a client connected through, as authentication sees it.
 *
 * @param listener the listener's name (tcp, tls, ws, wss)
 * @param loopbackListener whether that listener is bound to loopback addresses only (the anonymous rule)
 * @param usernameFromCertificate whether the username is the name in the client certificate (listeners.tls.cert-as-username)
 */
public record ClientTransport(String listener, boolean loopbackListener, boolean usernameFromCertificate) {
}
