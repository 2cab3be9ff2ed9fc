package io.meshmq.cluster;

import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker's view of the cluster, over Hazelcast and the clustered event bus. */
final class HazelcastClusterLink implements ClusterLink {

  private static final Logger log = LoggerFactory.getLogger(HazelcastClusterLink.class);
  static final String ACTION = "action";
  static final String KICK = "kick";

  private final Vertx vertx;
  private final String self;
  private final RouteTable routes;
  private final Forwarder forwarder;
  private final ClientRegistry clients;
  private final Predicate<String> isMember;
  private final DeliveryOptions kickOptions;

  HazelcastClusterLink(Vertx vertx, String self, RouteTable routes, Forwarder forwarder, ClientRegistry clients,
                       Predicate<String> isMember, long timeoutMillis) {
    this.vertx = vertx;
    this.self = self;
    this.routes = routes;
    this.forwarder = forwarder;
    this.clients = clients;
    this.isMember = isMember;
    this.kickOptions = new DeliveryOptions().addHeader(ACTION, KICK).setSendTimeout(timeoutMillis);
  }

  @Override
  public Future<Void> firstSubscriber(String filter) {
    return routes.add(filter);
  }

  @Override
  public void lastSubscriberGone(String filter) {
    routes.remove(filter);
  }

  @Override
  public void forward(Message message, Runnable done) {
    forwarder.forward(message, done);
  }

  @Override
  public Future<Void> claimClient(String clientId) {
    return clients.claim(clientId).compose(previous -> {
      if (previous == null || previous.equals(self) || !isMember.test(previous)) {
        return Future.succeededFuture();
      }
      log.info("Client {} was held by node {}: asking it to let go", clientId, previous);
      return vertx.eventBus().request(Forwarder.address(previous), clientId, kickOptions).mapEmpty();
    });
  }

  @Override
  public void releaseClient(String clientId) {
    clients.release(clientId);
  }
}
