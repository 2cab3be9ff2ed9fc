package io.meshmq.broker.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT server on a Vert.x NetServer, framed by Netty's MQTT codec and dispatched by vertx-mqtt's
 * connection and endpoint classes, like vertx-mqtt's own MqttServer, but with the broker in front of the
 * dispatch ({@link PreConnectGate}) so that what vertx-mqtt gets wrong before CONNECT never reaches it.
 */
final class MqttTcpServer {

  private static final Logger log = LoggerFactory.getLogger(MqttTcpServer.class);
  /** vertx-mqtt removes handlers by these names when CONNECT arrives. */
  private static final String CONNECT_IDLE = "idle";
  private static final String CONNECT_TIMEOUT = "timeoutOnConnect";

  private final NetServer server;
  private final MqttServerOptions options;
  private final int maxBytesInMessage;

  MqttTcpServer(Vertx vertx, MqttServerOptions options, int maxBytesInMessage, Handler<MqttEndpoint> endpointHandler) {
    this.options = options;
    this.maxBytesInMessage = maxBytesInMessage;
    this.server = vertx.createNetServer(options);
    server.connectHandler(so -> wire((NetSocketInternal) so, endpointHandler));
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

  private void wire(NetSocketInternal socket, Handler<MqttEndpoint> endpointHandler) {
    ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
    pipeline.addBefore("handler", "mqttEncoder", MqttEncoder.INSTANCE);
    pipeline.addBefore("handler", "frameGuard", new FrameGuard());
    pipeline.addBefore("handler", "mqttDecoder", new MqttDecoder(maxBytesInMessage, options.getMaxClientIdLength()));
    pipeline.addBefore("handler", CONNECT_IDLE, new IdleStateHandler(options.timeoutOnConnect(), 0, 0));
    pipeline.addBefore("handler", CONNECT_TIMEOUT, new ConnectTimeout());
    // Until vertx-mqtt installs the endpoint's handler (at CONNECT), a framing error would be logged as an ERROR by
    // Vert.x; Vert.x closes the connection either way.
    socket.exceptionHandler(t -> log.info("Connection from {} closed before CONNECT: {}", socket.remoteAddress(),
        t.getMessage()));
    socket.messageHandler(new InboundDispatch(socket, options, endpointHandler));
  }

  /** Closes a connection that sent no CONNECT in time. */
  private static final class ConnectTimeout extends ChannelDuplexHandler {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
        log.info("Connection from {} closed: no CONNECT within the connect timeout", ctx.channel().remoteAddress());
        ctx.channel().close();
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
