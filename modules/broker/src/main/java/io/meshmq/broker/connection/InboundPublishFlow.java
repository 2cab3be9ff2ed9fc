package io.meshmq.broker.connection;

import static io.meshmq.broker.config.BrokerSettings.MAX_MESSAGE_EXPIRY_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_PENDING_ROUTES;
import static io.meshmq.broker.config.BrokerSettings.MAX_PUBLISH_BYTES_RATE;
import static io.meshmq.broker.config.BrokerSettings.MAX_PUBLISH_RATE;
import static io.meshmq.broker.config.BrokerSettings.RECEIVE_MAXIMUM;
import static io.meshmq.broker.config.BrokerSettings.RETAIN_AVAILABLE;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL;
import static io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType.TOPIC_ALIAS;

import io.meshmq.broker.session.OrderedActions;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.sys.Limit;
import io.meshmq.core.message.Message;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH from a client: topic alias, validation, authorization, QoS handshake and routing. The publisher is
 * acknowledged (PUBACK / PUBREC) only after routing finished; a QoS 2 message is routed once, on PUBLISH,
 * and its packet id is held until PUBREL. While too many of its messages are still being routed, or while the
 * client is over its publish rate, the connection's socket is not read (push-back instead of an unbounded queue
 * or a dropped message).
 */
final class InboundPublishFlow {

  private static final Logger log = LoggerFactory.getLogger(InboundPublishFlow.class);

  private final ClientConnection c;
  private final int maxPendingRoutes;
  private final int receiveMaximum;
  private final long maxMessageExpiry;
  private final boolean retainAvailable;
  private final PublishThrottle throttle;
  /**
   * PUBACK, PUBREC and PUBCOMP in the order of the packets they answer (MQTT-4.6.0-2/3), although routing and the
   * session store complete in any order; allocated on the first QoS 1/2 PUBLISH.
   */
  private OrderedActions acks;
  private int pendingRoutes;
  private int pendingAcks;
  private boolean routesFull;
  /** While the client is over its publish rate: when it may be read again ({@link System#nanoTime}). */
  private boolean throttled;
  private long throttledUntilNanos;
  private long throttledSinceNanos;
  private boolean readingPaused;

  InboundPublishFlow(ClientConnection c) {
    this.c = c;
    this.maxPendingRoutes = c.node.settings().get(MAX_PENDING_ROUTES);
    this.receiveMaximum = c.node.settings().get(RECEIVE_MAXIMUM);
    this.maxMessageExpiry = c.node.settings().get(MAX_MESSAGE_EXPIRY_SECONDS);
    this.retainAvailable = c.node.settings().get(RETAIN_AVAILABLE);
    this.throttle = PublishThrottle.of(c.node.settings().get(MAX_PUBLISH_RATE), c.node.settings().get(MAX_PUBLISH_BYTES_RATE));
  }

  void onPublish(MqttPublishMessage msg) {
    boolean v5 = c.protocolVersion >= 5;
    int qos = msg.qosLevel().value();
    int packetId = msg.messageId();
    MqttProperties props = msg.properties();
    String topic = msg.topicName();
    if (v5 && Mqtt5.has(props, TOPIC_ALIAS)) {
      topic = c.aliases().resolveInbound(topic, Mqtt5.intProperty(props, TOPIC_ALIAS, 0));
      if (topic == null) {
        violation(c.aliases().problem() == TopicAliases.Problem.ALIAS_OUT_OF_RANGE
            ? MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID : MqttDisconnectReasonCode.PROTOCOL_ERROR,
            "topic alias " + c.aliases().problem());
        return;
      }
    }
    String problem = c.node.topicRules().checkName(topic);
    if (problem != null) {
      c.countTopicLimit(problem);
      violation(MqttDisconnectReasonCode.TOPIC_NAME_INVALID, "PUBLISH to invalid topic '" + topic + "': " + problem);
      return;
    }
    if (msg.isRetain() && !retainAvailable) {
      violation(MqttDisconnectReasonCode.RETAIN_NOT_SUPPORTED, "retained PUBLISH while retain is not available");
      return;
    }
    Session session = c.session;
    if (qos > 0 && v5 && pendingAcks + session.inboundQos2().size() >= receiveMaximum) {
      c.node.stats().limitReached(Limit.RECEIVE_MAXIMUM);
      violation(MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than " + receiveMaximum + " unacknowledged QoS 1/2 PUBLISH");
      return;
    }
    byte[] payload = msg.payload().getBytes();
    c.node.stats().publishReceived.increment();
    c.node.stats().messagesReceived.increment();
    c.node.stats().receivedAtQos(qos).increment();
    c.node.stats().bytesReceived.add(Mqtt5.publishPacketSize(topic, payload.length, qos, 0, false));
    if (throttle != null) {
      charge(topic.length() + (long) payload.length);
    }
    if (qos == 2 && !session.inboundQos2().firstSeen(packetId)) {
      // A re-sent QoS 2 PUBLISH already routed: acknowledge again, never route twice.
      ackInOrder(qos, packetId).complete(Acks.SUCCESS);
      return;
    }
    Promise<Integer> ack = qos > 0 ? ackInOrder(qos, packetId) : null;
    Message message = new Message(topic, payload, qos, msg.isRetain(),
        v5 ? Mqtt5.publishProperties(props) : null, c.clientId, expiresAt(v5, props));
    String finalTopic = topic;
    if (topic.equals("$SYS") || topic.startsWith("$SYS/")) {
      // The broker's own figures: clients read them, they do not write them (whatever the ACL says).
      denied(qos, packetId, ack, topic);
      return;
    }
    c.node.authorizer().canPublish(c.identity(), topic).onComplete(ar -> {
      if (ar.failed() || !Boolean.TRUE.equals(ar.result())) {
        denied(qos, packetId, ack, finalTopic);
        return;
      }
      route(message, packetId, ack);
    });
  }

  private long expiresAt(boolean v5, MqttProperties props) {
    long seconds = v5 ? Mqtt5.unsignedIntProperty(props, PUBLICATION_EXPIRY_INTERVAL, -1) : -1;
    if (maxMessageExpiry > 0 && (seconds < 0 || seconds > maxMessageExpiry)) {
      seconds = maxMessageExpiry;
    }
    return seconds < 0 ? Message.NEVER : System.currentTimeMillis() + seconds * 1000;
  }

  /**
   * Whether this flow stopped reading the socket (too many of its messages still being routed, or the client over
   * its publish rate).
   */
  boolean readingPaused() {
    return readingPaused;
  }

  private void route(Message message, int packetId, Promise<Integer> ack) {
    int qos = message.qos();
    pendingRoutes++;
    if (qos > 0) {
      pendingAcks++;
    }
    if (pendingRoutes >= maxPendingRoutes && !routesFull) {
      c.node.stats().limitReached(Limit.MAX_PENDING_ROUTES);
      routesFull = true;
      updateReading();
    }
    c.node.router().route(message, safe -> {
      pendingRoutes--;
      if (qos > 0) {
        pendingAcks--;
      }
      if (!safe && qos > 0) {
        notSafe(qos, packetId, ack, message);
      } else if (qos == 1) {
        ack.complete(Acks.SUCCESS);
      } else if (qos == 2) {
        // Held in the session store before PUBREC: a node that recovers the session does not route a re-sent copy.
        Future<Void> recorded = c.session.recordInboundHeld(packetId);
        if (recorded == null) {
          ack.complete(Acks.SUCCESS);
        } else {
          recorded.onComplete(ar -> ack.complete(Acks.SUCCESS));
        }
      }
      if (routesFull && pendingRoutes <= maxPendingRoutes / 2) {
        routesFull = false;
        updateReading();
      }
    });
  }

  /**
   * Charges the message to the client's publish rate. Over it, the socket is not read until the buckets have
   * refilled: the message itself (already read) goes on normally, so nothing is dropped.
   */
  private void charge(long size) {
    long wait = throttle.charge(size);
    if (wait <= 0) {
      return;
    }
    long now = System.nanoTime();
    throttledUntilNanos = Math.max(throttledUntilNanos, now + wait);
    if (!throttled) {
      throttled = true;
      throttledSinceNanos = now;
      c.node.stats().limitReached(throttle.lastLimit());
      updateReading();
      scheduleThrottleEnd(wait);
    }
  }

  private void scheduleThrottleEnd(long waitNanos) {
    c.node.vertx().setTimer(Math.max(1, waitNanos / 1_000_000), id -> c.context.runOnContext(v -> {
      long now = System.nanoTime();
      if (now < throttledUntilNanos) {
        scheduleThrottleEnd(throttledUntilNanos - now); // charged more while waiting
        return;
      }
      throttled = false;
      c.node.stats().publishThrottledNanos.add(now - throttledSinceNanos);
      updateReading();
    }));
  }

  /** Reads the socket only while neither bound holds it back. */
  private void updateReading() {
    boolean hold = routesFull || throttled;
    if (hold && !readingPaused) {
      readingPaused = true;
      c.socket.pause();
    } else if (!hold && readingPaused) {
      readingPaused = false;
      c.resumeReading();
    }
  }

  /**
   * A persistent session could not put the message on record (the node lost its cluster): the publisher is not told
   * it is safe. MQTT 5 gets PUBACK/PUBREC 0x80; MQTT 3.1.1 has no way to say no, so the connection is closed
   * without the acknowledgement, and the client sends the message again when it reconnects (to another node).
   */
  private void notSafe(int qos, int packetId, Promise<Integer> ack, Message message) {
    c.node.stats().publishNotSafe.increment();
    log.warn("Client {}: {} could not be put on record for every persistent session it went to; {}", c.clientId, message,
        c.protocolVersion >= 5 ? "answering 0x80" : "closing the connection without acknowledging it");
    if (qos == 2) {
      c.session.inboundQos2().release(packetId); // not routed as far as the client knows: a re-sent copy is routed
    }
    ack.complete(c.protocolVersion >= 5 ? Acks.UNSPECIFIED_ERROR : CLOSE_INSTEAD);
  }

  /** Not a reason code: the acknowledgement is not sent, the connection is closed in its place. */
  private static final int CLOSE_INSTEAD = -1;

  private void denied(int qos, int packetId, Promise<Integer> ack, String topic) {
    c.node.stats().publishDenied.increment();
    log.info("Client {}: PUBLISH to '{}' not authorized, dropped", c.clientId, topic);
    boolean v5 = c.protocolVersion >= 5;
    if (qos == 2 && v5) {
      // An error PUBREC ends the exchange: the client sends no PUBREL, so the id is free again.
      c.session.inboundQos2().release(packetId);
    }
    if (ack != null) {
      // MQTT 3.1.1 has no way to say no: the message is acknowledged as if delivered.
      ack.complete(v5 ? Acks.NOT_AUTHORIZED : Acks.SUCCESS);
    }
  }

  /** PUBREL: the QoS 2 packet id is released and PUBCOMP sent (0x92 for an id we do not hold, MQTT 5). */
  void onPubrel(int packetId) {
    boolean held = c.session.inboundQos2().release(packetId);
    if (!held) {
      log.debug("Client {}: PUBREL for unknown packet id {}", c.clientId, packetId);
    }
    int reason = held || c.protocolVersion < 5 ? Acks.SUCCESS : Acks.PACKET_ID_NOT_FOUND;
    inOrder(held ? c.session.recordInboundReleased(packetId) : null, () -> Acks.pubcomp(c.socket, packetId, reason));
  }

  /**
   * Takes this PUBLISH's place among the acknowledgements as it arrives; completing the promise with a reason code
   * sends its PUBACK (QoS 1) or PUBREC (QoS 2) once every acknowledgement before it has left.
   */
  private Promise<Integer> ackInOrder(int qos, int packetId) {
    Promise<Integer> reason = Promise.promise();
    inOrder(reason.future(), () -> {
      if (reason.future().result() == CLOSE_INSTEAD) {
        c.close();
      } else if (qos == 1) {
        Acks.puback(c.socket, packetId, reason.future().result());
      } else {
        Acks.pubrec(c.socket, packetId, reason.future().result());
      }
    });
    return reason;
  }

  private void inOrder(Future<?> ready, Runnable ack) {
    if (acks == null) {
      Session session = c.session;
      acks = new OrderedActions(session::execute);
    }
    acks.run(ready, () -> {
      if (!c.isClosed()) {
        ack.run();
      }
    });
  }


  private void violation(MqttDisconnectReasonCode reason, String why) {
    c.node.stats().protocolErrors.increment();
    log.info("Client {} ({}): {}, disconnecting", c.clientId, c.remoteAddress(), why);
    c.disconnect(reason);
  }
}
