package io.meshmq.broker.listener;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.connection.ConnectionMonitor;
import io.meshmq.broker.connection.Connections;
import io.meshmq.broker.connection.ShutdownDisconnect;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.mqtt.MqttServerOptions;

/**
 * One MQTT server of one listener on one event loop. The broker deploys one instance per event loop on the same
 * port, so Vert.x spreads accepted sockets over all loops; each connection then lives on the loop that accepted it.
 */
public final class MqttListenerVerticle extends VerticleBase {

  private final BrokerNode node;
  private final ListenerSpec spec;
  private final MqttServerOptions options;
  private MqttTcpServer server;
  private ConnectionMonitor monitor;

  public MqttListenerVerticle(BrokerNode node, ListenerSpec spec, MqttServerOptions options) {
    this.node = node;
    this.spec = spec;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    monitor = new ConnectionMonitor(vertx);
    monitor.start();
    int maxBytes = ListenerOptions.maxRemainingLength(node.settings());
    int linger = node.settings().get(BrokerSettings.CLOSE_LINGER_MILLIS);
    if (node.settings().get(BrokerSettings.CONNECTION_MODEL) == BrokerSettings.ConnectionModel.VERTICLE) {
      server = new MqttTcpServer(vertx, spec, options, maxBytes, linger, endpoint -> {
        Connections.holdReading(endpoint);
        vertx.deployVerticle(new ConnectionVerticle(node, endpoint, context));
      });
    } else {
      server = new MqttTcpServer(vertx, spec, options, maxBytes, linger, endpoint -> Connections.open(node, endpoint, context, monitor));
    }
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    monitor.stop();
    // DISCONNECT (MQTT 5: 0x8B server shutting down, or 0x9C use another server) before closing the server, which
    // would drop the sockets without a word.
    monitor.disconnectAll(ShutdownDisconnect.of(node.settings()));
    return server.close();
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** See {@link MqttTcpServer#updateSsl}; any one instance of a listener updates them all (they share the port). */
  public Future<Boolean> updateSsl(ServerSSLOptions ssl) {
    return server.updateSsl(ssl);
  }
}
