package io.meshmq.broker.connection;

import io.meshmq.broker.BrokerNode;
import io.vertx.core.Context;
import io.vertx.mqtt.MqttEndpoint;

/** The entry point listeners use to hand a freshly parsed CONNECT to the broker. */
public final class Connections {

  private Connections() {
  }

  /** Stops reading the endpoint's socket until the connect flow is done with CONNECT. */
  public static void holdReading(MqttEndpoint endpoint) {
    EndpointSockets.socketOf(endpoint).pause();
  }

  public static void open(BrokerNode node, MqttEndpoint endpoint, Context context, ConnectionMonitor monitor) {
    ClientConnection.open(node, endpoint, context, monitor);
  }
}
