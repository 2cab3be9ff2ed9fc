package io.meshmq.broker.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.impl.MqttServerConnection;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
  private static final MethodHandle DISPATCH = dispatchHandle();

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
    MqttEndpoint[] endpoint = new MqttEndpoint[1];
    MqttServerConnection connection = new MqttServerConnection(socket, ep -> {
      endpoint[0] = ep;
      endpointHandler.handle(ep);
    }, null, options);
    PreConnectGate gate = new PreConnectGate(socket);
    socket.messageHandler(msg -> {
      if (endpoint[0] != null && !endpoint[0].isConnected()) {
        // Packets the client sent before the broker closed its connection can still come out of the socket's
        // queue; vertx-mqtt throws on each of them (an ERROR line per packet), so they are dropped here.
        ReferenceCountUtil.release(msg);
      } else if (gate.admit(msg)) {
        dispatch(connection, msg);
      }
    });
  }

  private static void dispatch(MqttServerConnection connection, Object msg) {
    try {
      synchronized (connection) {
        DISPATCH.invokeExact(connection, msg);
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** vertx-mqtt's dispatch entry point is package-private; it is the one method its server class calls. */
  private static MethodHandle dispatchHandle() {
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(MqttServerConnection.class, MethodHandles.lookup());
      return lookup.findVirtual(MqttServerConnection.class, "handleMessage", MethodType.methodType(void.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("vertx-mqtt's MqttServerConnection.handleMessage(Object) not found", e);
    }
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
