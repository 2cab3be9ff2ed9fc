package io.meshmq.broker.connection;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.SessionLink;
import io.meshmq.broker.sys.Limit;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Delivery;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client network connection: the vertx-mqtt endpoint, wired to the flows that handle each packet kind,
 * and the connection-scoped protocol state (keep-alive, topic aliases, limits the client announced). All of
 * it runs on the context that accepted the socket. Every write goes through here, so a write on a closed
 * endpoint (which vertx-mqtt answers with an exception) never happens.
 */
public final class ClientConnection implements SessionLink {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  final BrokerNode node;
  final MqttEndpoint endpoint;
  final NetSocketInternal socket;
  final Context context;
  final int protocolVersion;
  private final ConnectionMonitor monitor;

  // Set by the connect flow.
  String clientId;
  Session session;
  WillMessage will;
  int keepAliveSeconds;
  int clientMaxPacketSize = Integer.MAX_VALUE;
  /** Made when first needed (see SlowConsumerGuard): an idle connection's socket is always writable. */
  private SlowConsumerGuard outbound;
  // Created on first use (an idle connection never needs them): 32 + 48 + 16 bytes, and 88 for the
  // identity with its address string (set by the connect flow when a client certificate names the user).
  ClientIdentity identity;
  private TopicAliases aliases;
  private InboundPublishFlow inbound;
  private SubscribeFlow subscribeFlow;

  /** Where the loop's {@link ConnectionMonitor} keeps this connection, -1 when it does not. */
  int monitorSlot = -1;
  private long lastSeenMillis = System.currentTimeMillis();
  private boolean accepted;
  /** Holds a place in the node's connection limit (see ConnectionAdmission) until closed. */
  private boolean admitted;
  private boolean closed;
  private boolean closeHandled;
  private boolean takenOver;
  /** A normal DISCONNECT (reason 0x00) was received: the will is discarded. */
  private boolean disconnectedCleanly;

  ClientConnection(BrokerNode node, MqttEndpoint endpoint, Context context, ConnectionMonitor monitor) {
    this.node = node;
    this.endpoint = endpoint;
    this.socket = EndpointSockets.socketOf(endpoint);
    this.context = context;
    this.protocolVersion = endpoint.protocolVersion();
    this.monitor = monitor;
  }

  /** Entry point from the listener: wires the handlers and starts the connect flow. */
  static void open(BrokerNode node, MqttEndpoint endpoint, Context context, ConnectionMonitor monitor) {
    ClientConnection c = new ClientConnection(node, endpoint, context, monitor);
    OutboundQueueShrinker.shrink(c.socket);
    SlowConsumerGuard.bound(c);
    c.dropVertxKeepAliveHandlers();
    // Packets a client pipelines behind CONNECT must wait for the CONNACK: vertx-mqtt would close the
    // connection if it saw them before accept() (its issue 121). Paused here, resumed after accept.
    c.socket.pause();
    c.wireHandlers();
    new ConnectFlow(c).start();
  }

  private void wireHandlers() {
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.autoKeepAlive(true);
    PacketDispatch packets = new PacketDispatch(this);
    endpoint.publishHandler(packets.as());
    endpoint.publishReleaseMessageHandler(packets.as());
    endpoint.publishAcknowledgeMessageHandler(packets.as());
    endpoint.publishReceivedMessageHandler(packets.as());
    endpoint.publishCompletionMessageHandler(packets.as());
    endpoint.subscribeHandler(packets.as());
    endpoint.unsubscribeHandler(packets.as());
    endpoint.pingHandler(packets.as());
    endpoint.disconnectMessageHandler(packets.as());
    endpoint.authenticationExchangeHandler(packets.as());
    endpoint.exceptionHandler(packets.as());
    // vertx-mqtt calls disconnectHandler only for a DISCONNECT packet, never when the broker closes the
    // socket; the close handler runs in every case, so wills and session hand-off hang off it. (Its own
    // object: it gets null like the ping handler.)
    endpoint.closeHandler(v -> onClosed());
  }

  // ---------------------------------------------------------------- packets, from PacketDispatch

  // Packets of a connection whose session was just taken over by a newer one are ignored: the session
  // (and its state) belongs to the newer connection, and this socket is being closed.

  void onPublish(MqttPublishMessage m) {
    if (ownsSession()) {
      inbound().onPublish(m);
    }
  }

  void onPubrel(int packetId) {
    if (ownsSession()) {
      inbound().onPubrel(packetId);
    }
  }

  void onSubscribe(MqttSubscribeMessage m) {
    if (ownsSession()) {
      subscribeFlow().onSubscribe(m);
    }
  }

  void onUnsubscribe(MqttUnsubscribeMessage m) {
    if (ownsSession()) {
      subscribeFlow().onUnsubscribe(m);
    }
  }

  // Acknowledgements are for the session, whichever connection carries them.

  void onPuback(int packetId) {
    onAck("PUBACK", packetId, s -> s.onPuback(packetId));
  }

  void onPubrec(int packetId, int reasonCode) {
    onAck("PUBREC", packetId, s -> s.onPubrec(packetId, reasonCode));
  }

  void onPubcomp(int packetId) {
    onAck("PUBCOMP", packetId, s -> s.onPubcomp(packetId));
  }

  private void onAck(String kind, int packetId, java.util.function.Predicate<Session> known) {
    onSession(s -> {
      if (!known.test(s)) {
        log.debug("Client {}: {} for unknown packet id {} ignored", clientId, kind, packetId);
      }
    });
  }

  void onDisconnect(MqttDisconnectReasonCode code, MqttProperties props) {
    onDisconnectPacket(code, props);
  }

  void onAuth() {
    // The broker never offers enhanced authentication, so an AUTH packet is a protocol error (MQTT-4.12.0-1).
    node.stats().protocolErrors.increment();
    log.info("Client {} ({}): AUTH without an agreed authentication method, disconnecting", clientId, remoteAddress());
    disconnect(MqttDisconnectReasonCode.PROTOCOL_ERROR);
  }

  /** True while this connection is the one attached to its session (checked on the session's context). */
  private boolean ownsSession() {
    return session != null && !takenOver && session.isOwnedBy(context) && session.isAttached(this);
  }

  private void onSession(java.util.function.Consumer<Session> action) {
    Session s = session;
    if (s != null) {
      s.execute(() -> action.accept(s));
    }
  }

  /**
   * vertx-mqtt adds a per-connection idle handler (a timer per connection) for the client's keep-alive; the
   * broker enforces keep-alive itself, with the Server Keep Alive override and one sweep per event loop, so the
   * handler would only cost memory and a second, competing close.
   */
  private void dropVertxKeepAliveHandlers() {
    io.netty.channel.ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
    if (pipeline.get("keepAliveHandler") != null) {
      pipeline.remove("keepAliveHandler");
      if (pipeline.get("idle") != null) {
        pipeline.remove("idle");
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  void admitted() {
    admitted = true;
  }

  void accepted(Session s) {
    accepted = true;
    session = s;
    node.stats().clientsConnected.increment();
    node.stats().connectsAccepted.increment();
    monitor.add(this);
  }

  /**
   * Resumes reading after CONNACK (packets the client pipelined are then processed in order), unless another
   * bound still holds it: messages still being routed, the client over its publish rate, or bytes still pending
   * towards the client.
   */
  void resumeReading() {
    if (!closed && (inbound == null || !inbound.readingPaused()) && (outbound == null || !outbound.holdsReading())) {
      socket.resume();
    }
  }

  private void onDisconnectPacket(MqttDisconnectReasonCode code, MqttProperties props) {
    if (protocolVersion >= 5 && session != null) {
      long expiry = Mqtt5.unsignedIntProperty(props, MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1);
      if (expiry >= 0) {
        ConnectFlow.applyExpiryOnDisconnect(this, expiry);
      }
    }
    // 0x04 "disconnect with will message" keeps the will; every other DISCONNECT discards it.
    disconnectedCleanly = code != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
  }

  void onException(Throwable t) {
    Throwable cause = t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof TooLongFrameException) {
      node.stats().limitReached(Limit.MAX_PACKET_SIZE);
      log.info("Client {} ({}): packet larger than {} bytes, disconnecting", clientId, remoteAddress(),
          node.settings().get(io.meshmq.broker.config.BrokerSettings.MAX_PACKET_SIZE));
      disconnect(MqttDisconnectReasonCode.PACKET_TOO_LARGE);
    } else if (cause instanceof ProtocolViolation) {
      node.stats().protocolErrors.increment();
      log.info("Client {} ({}): {}, disconnecting", clientId, remoteAddress(), cause.getMessage());
      disconnect(MqttDisconnectReasonCode.PROTOCOL_ERROR);
    } else if (String.valueOf(cause.getMessage()).contains("invalid publish topic name")) {
      // Netty's decoder refuses a PUBLISH to a wildcard topic before the broker sees it.
      node.stats().protocolErrors.increment();
      log.info("Client {} ({}): {}, disconnecting", clientId, remoteAddress(), cause.getMessage());
      disconnect(MqttDisconnectReasonCode.TOPIC_NAME_INVALID);
    } else if (cause instanceof java.io.IOException) {
      log.debug("Client {} ({}): {}", clientId, remoteAddress(), cause.toString());
    } else {
      node.stats().protocolErrors.increment();
      log.info("Client {} ({}): malformed packet ({}), disconnecting", clientId, remoteAddress(), cause.toString());
      disconnect(MqttDisconnectReasonCode.MALFORMED_PACKET);
    }
  }

  private void onClosed() {
    if (closeHandled) {
      return;
    }
    closeHandled = true;
    closed = true;
    monitor.remove(this);
    if (admitted) {
      admitted = false;
      node.admission().release();
    }
    // Packets still queued in a paused socket would never be released (Vert.x does not dispose of them on close):
    // resumed, they reach the listener, which drops and releases what arrives for a closed endpoint.
    socket.resume();
    if (!accepted) {
      return;
    }
    node.stats().clientsConnected.decrement();
    WillMessage dueWill = disconnectedCleanly ? null : will;
    if (will != null && dueWill == null) {
      node.cluster().willSettled(will);
    }
    Session s = session;
    if (s != null) {
      s.execute(() -> s.detach(this, dueWill));
    } else if (dueWill != null) {
      node.router().publishWill(dueWill.message());
      node.cluster().willSettled(dueWill);
    }
    log.debug("Client {} disconnected{}", clientId, takenOver ? " (taken over)" : "");
  }

  /** Sends an MQTT 5 DISCONNECT with the reason (nothing for 3.1.1, which has no server DISCONNECT), then closes. */
  public void disconnect(MqttDisconnectReasonCode reason) {
    disconnect(reason, MqttProperties.NO_PROPERTIES);
  }

  /** {@link #disconnect(MqttDisconnectReasonCode)} with properties (e.g. a Server Reference). */
  public void disconnect(MqttDisconnectReasonCode reason, MqttProperties properties) {
    if (closed) {
      return;
    }
    closed = true;
    end(accepted && protocolVersion >= 5 ? LastPackets.disconnect(reason, properties) : null);
  }

  /** Closes the socket without a DISCONNECT (3.1.1 protocol violations, a CONNECT given up on). */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    end(null);
  }

  /** Answers the CONNECT with a refusing CONNACK, then closes (the flow has logged why). */
  void refuse(MqttConnectReturnCode code) {
    if (closed || accepted) {
      return;
    }
    closed = true;
    end(LastPackets.connack(code));
  }

  /**
   * Every close the broker decides goes through here: the last packet reaches a client that is still sending (see
   * LingeringClose). vertx-mqtt's own disconnect, reject and close would close at once, and a client still writing
   * would get a reset instead of the reason code.
   */
  private void end(Object lastPacket) {
    try {
      // vertx-mqtt answers PINGREQ by itself: nothing may follow the last packet, not even for one still queued.
      endpoint.autoKeepAlive(false);
    } catch (IllegalStateException | IllegalArgumentException e) {
      log.trace("endpoint already closed", e);
    }
    LingeringClose.end(socket, lastPacket, node.settings().get(BrokerSettings.CLOSE_LINGER_MILLIS));
    // The MQTT connection is over now; only the socket lingers. The session, the will and the connection count do
    // not wait for the client's close (the close handler then finds this done).
    onClosed();
  }

  public boolean isClosed() {
    return closed;
  }

  boolean isAccepted() {
    return accepted;
  }

  /** Counts a refused topic or filter that was over the configured length or level limit. */
  void countTopicLimit(String problem) {
    if (node.topicRules().isTooLong(problem)) {
      node.stats().limitReached(Limit.TOPIC_LENGTH);
    } else if (node.topicRules().isTooManyLevels(problem)) {
      node.stats().limitReached(Limit.TOPIC_LEVELS);
    }
  }

  // ---------------------------------------------------------------- keep-alive

  /** A packet arrived (PacketDispatch calls this for every one but AUTH): the keep-alive starts again. */
  void seen() {
    lastSeenMillis = System.currentTimeMillis();
  }

  /** Called by the loop's monitor every second: 1.5 x keep-alive without a packet closes the connection. */
  void checkKeepAlive(long nowMillis) {
    if (keepAliveSeconds > 0 && nowMillis - lastSeenMillis > keepAliveSeconds * 1500L) {
      log.info("Client {} ({}): no packet for 1.5 x {} s keep-alive, disconnecting", clientId, remoteAddress(), keepAliveSeconds);
      disconnect(MqttDisconnectReasonCode.KEEP_ALIVE_TIMEOUT);
    }
  }

  // ---------------------------------------------------------------- SessionLink

  @Override
  public int protocolVersion() {
    return protocolVersion;
  }

  @Override
  public int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  @Override
  public boolean sendPublish(Delivery delivery, int packetId, boolean dup) {
    if (closed) {
      return true;
    }
    return OutboundPublisher.send(this, delivery, packetId, dup);
  }

  @Override
  public void sendPubrel(int packetId, boolean packetIdFound) {
    if (closed) {
      return;
    }
    Acks.pubrel(socket, packetId, packetIdFound || protocolVersion < 5 ? Acks.SUCCESS : Acks.PACKET_ID_NOT_FOUND);
  }

  @Override
  public boolean writable() {
    if (closed) {
      return false;
    }
    boolean writable = SlowConsumerGuard.writable(this);
    if (!writable && outbound == null && Vertx.currentContext() == context) {
      outboundGuard(); // otherwise the loop's sweep installs it within a second
    }
    return writable;
  }

  @Override
  public void cannotKeepUp() {
    onOutboundGuard(SlowConsumerGuard::messageDropped);
  }

  @Override
  public void fellBehind(String why) {
    onOutboundGuard(g -> g.fellBehind(why));
  }

  /** Runs the action with the slow-consumer guard (made now if need be) on the connection's event loop. */
  private void onOutboundGuard(java.util.function.Consumer<SlowConsumerGuard> action) {
    if (Vertx.currentContext() == context) {
      action.accept(outboundGuard());
    } else {
      context.runOnContext(v -> action.accept(outboundGuard()));
    }
  }

  @Override
  public void takenOver() {
    // Runs on the session's owner context, which may not be this connection's: hop over.
    context.runOnContext(v -> {
      takenOver = true;
      log.info("Client {} ({}): session taken over by a new connection", clientId, remoteAddress());
      disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER);
    });
  }

  @Override
  public void moveToAnotherServer() {
    // Runs on the session's owner context, which may not be this connection's: hop over.
    context.runOnContext(v -> {
      log.debug("Client {} ({}): asked to reconnect to another node (rebalancing)", clientId, remoteAddress());
      disconnect(MqttDisconnectReasonCode.USE_ANOTHER_SERVER);
    });
  }

  // ---------------------------------------------------------------- per-connection parts made on first use

  /** Who the client is, for the authorizer; built on the first publish, subscribe or will check. */
  @Override
  public ClientIdentity identity() {
    if (identity == null) {
      MqttAuth auth = endpoint.auth();
      // (With a client certificate as username the connect flow has set it already.)
      identity = new ClientIdentity(clientId, auth == null ? null : auth.getUsername(), remoteAddress(), protocolVersion,
          false);
    }
    return identity;
  }

  /** The slow-consumer guard, installed now if it was not yet. On the connection's event loop. */
  SlowConsumerGuard outboundGuard() {
    if (outbound == null) {
      outbound = new SlowConsumerGuard(this);
      outbound.install();
    }
    return outbound;
  }

  /** From the loop's sweep: the guard's check, once there is a reason for a guard (see SlowConsumerGuard). */
  void checkOutbound(long nowMillis) {
    if (outbound != null || closed || !socket.channelHandlerContext().channel().isWritable()) {
      outboundGuard().check(nowMillis);
    }
  }

  TopicAliases aliases() {
    if (aliases == null) {
      aliases = new TopicAliases();
    }
    return aliases;
  }

  private InboundPublishFlow inbound() {
    if (inbound == null) {
      inbound = new InboundPublishFlow(this);
    }
    return inbound;
  }

  private SubscribeFlow subscribeFlow() {
    if (subscribeFlow == null) {
      subscribeFlow = new SubscribeFlow(this);
    }
    return subscribeFlow;
  }

  @Override
  public String remoteAddress() {
    return EndpointSockets.remoteAddress(socket);
  }

  @Override
  public String toString() {
    return "ClientConnection{" + clientId + "@" + remoteAddress() + "}";
  }
}
