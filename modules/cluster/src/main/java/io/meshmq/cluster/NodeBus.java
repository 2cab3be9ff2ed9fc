package io.meshmq.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** Sends {@link NodeMessage}s to one node's inbox, through their codec. */
final class NodeBus {

  private NodeBus() {
  }

  /** The event-bus address of a node's inbox. */
  static String address(String nodeId) {
    return "meshmq.node." + nodeId;
  }

  static void send(Vertx vertx, String node, NodeMessage message) {
    vertx.eventBus().send(address(node), message, options());
  }

  /** A request answered by the node; a failure when it does not answer within {@code timeoutMillis}. */
  static <T> Future<io.vertx.core.eventbus.Message<T>> request(Vertx vertx, String node, NodeMessage message,
                                                                long timeoutMillis) {
    return vertx.eventBus().request(address(node), message, options().setSendTimeout(timeoutMillis));
  }

  static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NodeMessageCodec.NAME);
  }
}
