package io.meshmq.cluster;

/** The node holding a client's session did not answer, nor was the session recovered, within the CONNECT's hold. */
final class SessionUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  SessionUnavailableException(String message) {
    super(message, null, false, false);
  }
}
