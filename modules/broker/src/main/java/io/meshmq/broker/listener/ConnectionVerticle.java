package io.meshmq.broker.listener;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.connection.ConnectionMonitor;
import io.meshmq.broker.connection.Connections;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttEndpoint;

/**
 * The "verticle per connection" model, kept to be measured against the default actor model
 * (listeners.connection-model=verticle): one deployment and one keep-alive timer per connection. The
 * protocol handling stays on the accepting context, because vertx-mqtt calls the endpoint's handlers there.
 */
final class ConnectionVerticle extends VerticleBase {

  private final BrokerNode node;
  private final MqttEndpoint endpoint;
  private final Context acceptingContext;
  private long timer;

  ConnectionVerticle(BrokerNode node, MqttEndpoint endpoint, Context acceptingContext) {
    this.node = node;
    this.endpoint = endpoint;
    this.acceptingContext = acceptingContext;
  }

  @Override
  public Future<?> start() {
    ConnectionMonitor monitor = new ConnectionMonitor(vertx, () -> vertx.undeploy(deploymentID()));
    timer = vertx.setPeriodic(1000, id -> acceptingContext.runOnContext(v -> monitor.sweep()));
    acceptingContext.runOnContext(v -> Connections.open(node, endpoint, acceptingContext, monitor));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
