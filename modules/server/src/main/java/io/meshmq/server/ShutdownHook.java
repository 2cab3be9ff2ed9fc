package io.meshmq.server;

/** Stops the server when the JVM is asked to exit (SIGTERM, SIGINT/Ctrl-C, System.exit). */
final class ShutdownHook {

  private ShutdownHook() {
  }

  static void install(RunningServer server) {
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "meshmq-shutdown"));
  }
}
