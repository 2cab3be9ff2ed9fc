package io.meshmq.broker.auth;

/** Who a connection is, as far as authentication established it; handed to the authorizer. */
public record ClientIdentity(String clientId, String username, String remoteAddress, int protocolVersion) {
}
