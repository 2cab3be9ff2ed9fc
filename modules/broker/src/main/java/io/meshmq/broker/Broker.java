package io.meshmq.broker;

import io.meshmq.broker.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One broker node: its MQTT listeners and the node-level services they share. Started on an existing Vert.x
 * instance so that the launcher (or a test, or the cluster module) decides how Vert.x is created.
 */
public final class Broker {

  private final Vertx vertx;
  private final Settings settings;

  private Broker(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Starts a broker node; the future completes once every MQTT listener is bound. */
  public static Future<Broker> start(Vertx vertx, Settings settings) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The port the plain MQTT listener is bound to (useful when configured as 0). */
  public int mqttPort() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Stops accepting, closes every connection (wills of clients are published as for a connection loss) and unbinds. */
  public Future<Void> stop() {
    throw new UnsupportedOperationException("not yet");
  }

  public Vertx vertx() {
    return vertx;
  }

  public Settings settings() {
    return settings;
  }
}
