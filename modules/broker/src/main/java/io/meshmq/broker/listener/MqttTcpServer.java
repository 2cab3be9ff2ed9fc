package io.meshmq.broker.listener;

import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.meshmq.broker.connection.ClientAddress;
import io.meshmq.broker.connection.ConnectionOrigin;
import io.meshmq.broker.connection.LingeringClose;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT server on a Vert.x NetServer, framed by Netty's MQTT codec and dispatched by vertx-mqtt's
 * connection and endpoint classes, like vertx-mqtt's own MqttServer, but with the broker in front of the
 * dispatch ({@link PreConnectGate}) so that what vertx-mqtt gets wrong before CONNECT never reaches it.
 * TLS is the NetServer's; a WebSocket listener puts the HTTP upgrade and framing ahead of the MQTT codec
 * ({@link WebSocketTransport}), so every transport shares everything from the decoder on.
 */
final class MqttTcpServer {

  private static final Logger log = LoggerFactory.getLogger(MqttTcpServer.class);
  /** vertx-mqtt removes handlers by these names when CONNECT arrives. */
  private static final String CONNECT_IDLE = "idle";
  private static final String CONNECT_TIMEOUT = "timeoutOnConnect";
  /** Type byte and a remaining length of up to four bytes: a frame holding the largest packet is this much longer. */
  private static final int MAX_FIXED_HEADER = 5;
  /**
   * Netty gives every channel an allocator instance of its own (32 bytes) whose only state is its
   * configuration; one shared instance with the same defaults does the same (each channel keeps its own handle).
   */
  private static final RecvByteBufAllocator READ_BUFFERS = new AdaptiveRecvByteBufAllocator();

  private final NetServer server;
  private final MqttServerOptions options;
  private final int maxBytesInMessage;
  private final ListenerSpec spec;
  private final ConnectionOrigin origin;
  private final int closeLingerMillis;

  /** @param closeLingerMillis see LingeringClose: how long a connection the broker ends waits for the client's close */
  MqttTcpServer(Vertx vertx, ListenerSpec spec, MqttServerOptions options, int maxBytesInMessage, int closeLingerMillis,
                Handler<MqttEndpoint> endpointHandler) {
    this.spec = spec;
    this.closeLingerMillis = closeLingerMillis;
    this.options = options;
    this.maxBytesInMessage = maxBytesInMessage;
    this.origin = new ConnectionOrigin(spec.name(), spec.loopback(),
        spec.tls() == null ? CertificateUsername.NONE : spec.tls().certAsUsername());
    this.server = vertx.createNetServer(options);
    server.connectHandler(so -> wire((NetSocketInternal) so, endpointHandler));
    // Failures before a socket exists: a TLS handshake (an old protocol version, an untrusted certificate) or, with
    // proxy-protocol, a connection that did not start with a valid PROXY header (Netty's decoder closed it).
    server.exceptionHandler(e -> log.info("Listener {}: connection closed {}: {}", spec.name(),
        e instanceof HAProxyProtocolException ? "without a valid PROXY protocol header" : "during the TLS handshake",
        e.getMessage() != null ? e.getMessage() : e.toString()));
  }

  Future<NetServer> listen() {
    return server.listen();
  }

  int actualPort() {
    return server.actualPort();
  }

  Future<Void> close() {
    return server.close();
  }

  /** Serves new connections with other certificates; connections already open keep theirs. */
  Future<Boolean> updateSsl(ServerSSLOptions ssl) {
    return server.updateSSLOptions(ssl, true);
  }

  private void wire(NetSocketInternal socket, Handler<MqttEndpoint> endpointHandler) {
    ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
    // Before the first read, which is when the channel makes its handle from the allocator.
    pipeline.channel().config().setRecvByteBufAllocator(READ_BUFFERS);
    pipeline.addBefore("handler", LingeringClose.MQTT_FRAMING, new FrameGuard()); // also the encoder
    // Vert.x flushes every write made outside a read, e.g. each message delivered from another event loop: one
    // syscall per message. Netty's consolidation flushes once per event-loop turn instead (fan-in QoS 0 measured
    // at 1.5-2x the deliveries per second with it).
    pipeline.addBefore(LingeringClose.MQTT_FRAMING, "flushes", new FlushConsolidationHandler(256, true));
    pipeline.addBefore("handler", "mqttDecoder", new MqttDecoder(maxBytesInMessage, options.getMaxClientIdLength()));
    pipeline.addBefore("handler", CONNECT_IDLE, new IdleStateHandler(options.timeoutOnConnect(), 0, 0));
    pipeline.addBefore("handler", CONNECT_TIMEOUT, new ConnectTimeout());
    if (spec.webSocket()) {
      WebSocketTransport.install(pipeline, LingeringClose.MQTT_FRAMING, spec.webSocketPath(), maxBytesInMessage + MAX_FIXED_HEADER,
          options.timeoutOnConnect() * 1000L);
    }
    origin.attachTo(socket.channelHandlerContext().channel());
    // Until vertx-mqtt installs the endpoint's handler (at CONNECT), a framing error would be logged as an ERROR by
    // Vert.x; Vert.x closes the connection either way.
    socket.exceptionHandler(t -> log.info("Connection from {} closed before CONNECT: {}",
        ClientAddress.of(socket.channelHandlerContext().channel()), t.getMessage()));
    socket.messageHandler(new InboundDispatch(socket, options, endpointHandler, closeLingerMillis));
  }

  /** Closes a connection that sent no CONNECT in time. */
  private static final class ConnectTimeout extends ChannelDuplexHandler {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
        log.info("Connection from {} closed: no CONNECT within the connect timeout", ClientAddress.of(ctx.channel()));
        ctx.channel().close();
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
