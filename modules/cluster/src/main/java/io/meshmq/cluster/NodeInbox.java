package io.meshmq.cluster;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.session.Session;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's single clustered event-bus consumer (vertx-hazelcast stores every consumer cluster-wide, so
 * there is one per node, never one per client): forwarded messages, answered once routed here, and requests
 * to take a client's connection down because the client connected to another node.
 */
final class NodeInbox extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NodeInbox.class);

  private final BrokerNode node;
  private final String address;
  private MessageConsumer<Object> consumer;

  NodeInbox(BrokerNode node, String address) {
    this.node = node;
    this.address = address;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(address, msg -> {
      Object body = msg.body();
      if (body instanceof Message m) {
        node.router().routeLocal(m, () -> msg.reply(null));
      } else if (HazelcastClusterLink.KICK.equals(msg.headers().get(HazelcastClusterLink.ACTION)) && body instanceof String clientId) {
        Session s = node.sessions().get(clientId);
        if (s == null) {
          msg.reply(null);
          return;
        }
        log.info("Client {} connected to another node: ending its session here", clientId);
        s.execute(() -> {
          s.discard();
          msg.reply(null);
        });
      } else {
        msg.fail(400, "unknown request");
      }
    });
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }
}
