package io.meshmq.broker.listener;

import io.meshmq.broker.connection.ProtocolViolation;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.impl.MqttServerConnection;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Hands one connection's decoded packets to vertx-mqtt, except what it would turn into an exception that escapes
 * the connection: packets before CONNECT ({@link PreConnectGate}), packets after its endpoint closed (it throws
 * on each), {@link MisplacedPackets}, and packets it throws on while reading them (unknown reason codes). Those
 * fail the connection through the Netty pipeline, so the endpoint's exception handler closes it (protocol error or
 * malformed packet).
 */
final class InboundDispatch implements Handler<Object> {

  private static final MethodHandle DISPATCH = dispatchHandle();

  private final ChannelPipeline pipeline;
  private final MqttServerConnection connection;
  private final PreConnectGate gate;
  private final Handler<MqttEndpoint> endpointHandler;
  private MqttEndpoint endpoint;
  private boolean connectDispatched;

  InboundDispatch(NetSocketInternal socket, MqttServerOptions options, Handler<MqttEndpoint> endpointHandler,
                  int closeLingerMillis) {
    this.pipeline = socket.channelHandlerContext().pipeline();
    this.gate = new PreConnectGate(socket, closeLingerMillis);
    this.endpointHandler = endpointHandler;
    // This object is also vertx-mqtt's endpoint handler (see handle): a lambda would cost 24 bytes per connection.
    this.connection = new MqttServerConnection(socket, asEndpointHandler(), null, options);
  }

  @SuppressWarnings("unchecked")
  private Handler<MqttEndpoint> asEndpointHandler() {
    return (Handler<MqttEndpoint>) (Handler<?>) this;
  }

  @Override
  public void handle(Object msg) {
    if (msg instanceof MqttEndpoint ep) {
      // vertx-mqtt made the endpoint for the CONNECT just dispatched.
      endpoint = ep;
      endpointHandler.handle(ep);
      return;
    }
    if (endpoint != null && !endpoint.isConnected()) {
      // What the client sent before the broker closed its connection can still come out of the socket's queue.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!gate.admit(msg)) {
      return;
    }
    ProtocolViolation misplaced = connectDispatched ? MisplacedPackets.failureFor(msg) : null;
    if (misplaced != null) {
      ReferenceCountUtil.release(msg);
      pipeline.fireExceptionCaught(misplaced);
      return;
    }
    connectDispatched |= msg instanceof MqttMessage m && m.fixedHeader() != null
        && m.fixedHeader().messageType() == MqttMessageType.CONNECT;
    try {
      synchronized (connection) {
        DISPATCH.invokeExact(connection, msg);
      }
    } catch (IllegalArgumentException e) {
      // vertx-mqtt reading a field it has no constant for (a reason code): the packet is malformed.
      pipeline.fireExceptionCaught(new DecoderException(e.getMessage(), e));
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
}
