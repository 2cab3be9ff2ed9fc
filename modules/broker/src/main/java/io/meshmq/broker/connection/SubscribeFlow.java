package io.meshmq.broker.connection;

import static io.meshmq.broker.config.BrokerSettings.MAX_SUBSCRIPTIONS_PER_CLIENT;
import static io.meshmq.broker.config.BrokerSettings.SHARED_SUBSCRIPTIONS;
import static io.meshmq.broker.config.BrokerSettings.WILDCARD_SUBSCRIPTIONS;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER;

import io.meshmq.broker.auth.SubscribeGrant;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.Subscription;
import io.meshmq.broker.sys.Limit;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.meshmq.core.topic.SharedSubscription;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE. A subscription is in the routing table before its SUBACK leaves, so a message
 * published right after SUBACK reaches it; matching retained messages follow the SUBACK as MQTT 5
 * retain-handling asks (never for shared subscriptions).
 */
final class SubscribeFlow {

  private static final Logger log = LoggerFactory.getLogger(SubscribeFlow.class);

  private final ClientConnection c;
  private final int maxSubscriptions;

  SubscribeFlow(ClientConnection c) {
    this.c = c;
    this.maxSubscriptions = c.node.settings().get(MAX_SUBSCRIPTIONS_PER_CLIENT);
  }

  void onSubscribe(MqttSubscribeMessage msg) {
    boolean v5 = c.protocolVersion >= 5;
    int subscriptionId = v5 ? Mqtt5.intProperty(msg.properties(), SUBSCRIPTION_IDENTIFIER, 0) : 0;
    List<MqttTopicSubscription> requested = msg.topicSubscriptions();
    List<MqttSubAckReasonCode> codes = new ArrayList<>(requested.size());
    List<Future<SubscribeGrant>> permissions = new ArrayList<>(requested.size());
    for (MqttTopicSubscription ts : requested) {
      String filter = ts.topicName();
      MqttSubAckReasonCode refusal = check(filter, ts.subscriptionOption(), v5);
      if (refusal == null && v5 && SharedSubscription.isShared(filter) && ts.subscriptionOption().isNoLocal()) {
        // MQTT 5 3.8.3.1: No Local on a shared subscription is a protocol error.
        c.node.stats().protocolErrors.increment();
        log.info("Client {}: No Local set on shared subscription {}, disconnecting", c.clientId, filter);
        c.disconnect(MqttDisconnectReasonCode.PROTOCOL_ERROR);
        return;
      }
      codes.add(refusal);
      permissions.add(refusal != null ? Future.succeededFuture(SubscribeGrant.REFUSED)
          : c.node.authorizer().grantSubscribe(c.identity(), filter).otherwise(SubscribeGrant.REFUSED));
    }
    Future.join(permissions).onComplete(ignored -> {
      Session session = c.session;
      session.execute(() -> subscribeAll(session, msg.messageId(), requested, codes, permissions, subscriptionId, v5));
    });
  }

  private void subscribeAll(Session session, int packetId, List<MqttTopicSubscription> requested,
                            List<MqttSubAckReasonCode> codes, List<Future<SubscribeGrant>> permissions, int subscriptionId,
                            boolean v5) {
    List<Future<Boolean>> added = new ArrayList<>();
    List<Subscription> subs = new ArrayList<>();
    List<Integer> codeIndex = new ArrayList<>();
    for (int i = 0; i < requested.size(); i++) {
      if (codes.get(i) != null) {
        continue;
      }
      MqttTopicSubscription ts = requested.get(i);
      SubscribeGrant grant = permissions.get(i).result();
      if (grant == null || !grant.granted()) {
        log.info("Client {}: SUBSCRIBE to '{}' not authorized", c.clientId, ts.topicName());
        codes.set(i, v5 ? MqttSubAckReasonCode.NOT_AUTHORIZED : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      if (overSubscriptionLimit(session, ts.topicName())) {
        codes.set(i, v5 ? MqttSubAckReasonCode.QUOTA_EXCEEDED : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      MqttSubscriptionOption o = ts.subscriptionOption();
      int qos = ts.qualityOfService().value();
      SharedSubscription shared = SharedSubscription.parse(ts.topicName());
      Subscription sub = new Subscription(session, shared == null ? ts.topicName() : shared.filter(),
          shared == null ? null : shared.group(), qos, v5 && o.isNoLocal(), v5 && o.isRetainAsPublished(),
          v5 ? o.retainHandling().value() : 0, subscriptionId, grant.gate());
      if (grant.isNarrowed()) {
        log.debug("Client {}: SUBSCRIBE to '{}' granted, narrowed: the ACL denies some of the topics it matches",
            c.clientId, ts.topicName());
      }
      added.add(session.subscribe(sub));
      subs.add(sub);
      codeIndex.add(i);
      codes.set(i, MqttSubAckReasonCode.qosGranted(ts.qualityOfService()));
    }
    // SUBACK once every new route is recorded for the other nodes (at once on a single node).
    Future.join(added).onComplete(ar -> session.execute(() -> {
      for (int i = 0; i < subs.size(); i++) {
        if (added.get(i).failed()) {
          log.warn("Client {}: route for '{}' could not be recorded: {}", c.clientId, subs.get(i).filter(), added.get(i).cause().toString());
          session.unsubscribe(subs.get(i).fullFilter());
          codes.set(codeIndex.get(i), MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        }
      }
      try {
        c.endpoint.subscribeAcknowledge(packetId, codes, MqttProperties.NO_PROPERTIES);
      } catch (IllegalStateException | IllegalArgumentException e) {
        log.trace("SUBACK on a closed endpoint", e);
      }
      for (int i = 0; i < subs.size(); i++) {
        Subscription sub = subs.get(i);
        boolean existed = Boolean.TRUE.equals(added.get(i).result());
        if (added.get(i).succeeded() && !sub.isShared() && (sub.retainHandling() == 0 || (sub.retainHandling() == 1 && !existed))) {
          sendRetained(session, sub);
        }
      }
    }));
  }

  /** A filter the session does not have yet, while it already has mqtt.max-subscriptions-per-client. */
  private boolean overSubscriptionLimit(Session session, String fullFilter) {
    if (maxSubscriptions <= 0 || session.subscriptionCount() < maxSubscriptions || session.hasSubscription(fullFilter)) {
      return false;
    }
    c.node.stats().limitReached(Limit.MAX_SUBSCRIPTIONS);
    log.info("Client {}: SUBSCRIBE to '{}' refused, the session has {} subscriptions (mqtt.max-subscriptions-per-client)",
        c.clientId, fullFilter, session.subscriptionCount());
    return true;
  }

  private void sendRetained(Session session, Subscription sub) {
    c.node.retained().match(sub.filter()).onSuccess(messages -> {
      if (messages.isEmpty()) {
        return;
      }
      int[] ids = sub.subscriptionId() > 0 ? new int[] {sub.subscriptionId()} : Delivery.noSubscriptionIds();
      session.execute(() -> {
        for (Message m : messages) {
          if (sub.admits(m.topic())) {
            session.deliver(new Delivery(m, Math.min(m.qos(), sub.qos()), true, ids, null));
          }
        }
      });
    });
  }

  private MqttSubAckReasonCode check(String filter, MqttSubscriptionOption options, boolean v5) {
    String problem = c.node.topicRules().checkFilter(filter);
    if (problem != null) {
      c.countTopicLimit(problem);
      log.info("Client {}: invalid topic filter '{}': {}", c.clientId, filter, problem);
      return v5 ? MqttSubAckReasonCode.TOPIC_FILTER_INVALID : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
    }
    boolean shared = SharedSubscription.isShared(filter);
    if (shared && !c.node.settings().get(SHARED_SUBSCRIPTIONS)) {
      return v5 ? MqttSubAckReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
    }
    if ((filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0) && !c.node.settings().get(WILDCARD_SUBSCRIPTIONS)) {
      return v5 ? MqttSubAckReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
    }
    return null;
  }

  void onUnsubscribe(MqttUnsubscribeMessage msg) {
    boolean v5 = c.protocolVersion >= 5;
    Session session = c.session;
    session.execute(() -> {
      List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
      for (String filter : msg.topics()) {
        if (c.node.topicRules().checkFilter(filter) != null) {
          codes.add(MqttUnsubAckReasonCode.TOPIC_FILTER_INVALID);
        } else {
          codes.add(session.unsubscribe(filter) ? MqttUnsubAckReasonCode.SUCCESS : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
      }
      try {
        if (v5) {
          c.endpoint.unsubscribeAcknowledge(msg.messageId(), codes, MqttProperties.NO_PROPERTIES);
        } else {
          c.endpoint.unsubscribeAcknowledge(msg.messageId());
        }
      } catch (IllegalStateException | IllegalArgumentException e) {
        log.trace("UNSUBACK on a closed endpoint", e);
      }
    });
  }
}
