package io.meshmq.server;

/** The broker could not be started (for example, its port is taken); the configuration itself was valid. */
public final class StartupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
