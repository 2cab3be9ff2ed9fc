package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import java.util.List;
import java.util.Map;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a published message to the other nodes with a matching route: one event-bus request per node (not
 * per subscriber), answered once that node has routed it to its local sessions. The publisher is
 * acknowledged after every answer, so an acknowledged QoS 1/2 message is in the target nodes' sessions.
 */
final class Forwarder {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  private final Vertx vertx;
  private final RouteTable routes;
  private final DeliveryOptions options;
  final LongAdder forwarded = new LongAdder();
  final LongAdder failed = new LongAdder();

  Forwarder(Vertx vertx, RouteTable routes, long timeoutMillis) {
    this.vertx = vertx;
    this.routes = routes;
    this.options = new DeliveryOptions().setCodecName(MessageCodec.NAME).setSendTimeout(timeoutMillis);
  }

  static String address(String nodeId) {
    return "meshmq.node." + nodeId;
  }

  void forward(Message message, Map<String, List<Delivery.ShareRef>> sharedByNode, Runnable done) {
    Set<String> nodes = routes.remoteNodes(message.topic());
    nodes.addAll(sharedByNode.keySet());
    if (nodes.isEmpty()) {
      done.run();
      return;
    }
    AtomicInteger pending = new AtomicInteger(nodes.size());
    for (String node : nodes) {
      forwarded.increment();
      Forwarded body = new Forwarded(message, sharedByNode.getOrDefault(node, List.of()));
      vertx.eventBus().request(address(node), body, options).onComplete(ar -> {
        if (ar.failed()) {
          failed.increment();
          log.warn("Forwarding {} to node {} failed: {}", message, node, ar.cause().toString());
        }
        if (pending.decrementAndGet() == 0) {
          done.run();
        }
      });
    }
  }
}
