package io.meshmq.broker.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one way the broker ends a connection it decided to end (DISCONNECT with a reason code, a refusing CONNACK, a
 * protocol violation without a packet to send). Closing a socket that still has unread bytes, or that receives more
 * after the close, makes the kernel answer with a TCP reset, and a client that meets the reset while still sending
 * never reads what was sent before it: the reason code is lost. So, in order:
 * <ol>
 *   <li>stop reading: whatever the client sends from now on is discarded before the MQTT decoder, and the socket
 *   keeps being read so that nothing piles up unread;</li>
 *   <li>send the last packet, if any;</li>
 *   <li>once it is flushed, half-close (a TLS close_notify, a WebSocket close frame first when the transport has
 *   one): the client reads the packet, then the end of the stream;</li>
 *   <li>close when the client closes its side or after the linger bound, whichever comes first.</li>
 * </ol>
 * Meanwhile a close from elsewhere (Vert.x closes the channel after any exception, a decoding error for one, right
 * after the broker answered it) waits for the same moment: it would drop the packet before it is flushed.
 */
public final class LingeringClose {

  /**
   * The name of the listener's first MQTT handler (MqttTcpServer names its FrameGuard so): an ending connection
   * discards just before it, after TLS and WebSocket have unwrapped the bytes.
   */
  public static final String MQTT_FRAMING = "frameGuard";

  /**
   * Set by a transport that frames the byte stream (WebSocket): the frame that says goodbye in that framing, written
   * before the half-close.
   */
  public static final AttributeKey<Supplier<Object>> FAREWELL = AttributeKey.valueOf("meshmq.farewell");

  private static final String ENDING = "meshmqEnding";
  /** With no linger: how long the last packet may take to leave before the socket is closed anyway. */
  private static final long UNFLUSHED_BOUND_MILLIS = 10_000;

  private LingeringClose() {
  }

  /**
   * Ends the connection as described above; any thread. {@code lastPacket} (null: none) is written through Vert.x,
   * after whatever the broker wrote before it.
   */
  public static void end(NetSocketInternal socket, Object lastPacket, long lingerMillis) {
    Channel ch = socket.channelHandlerContext().channel();
    if (!ch.eventLoop().inEventLoop()) {
      ch.eventLoop().execute(() -> end(socket, lastPacket, lingerMillis));
      return;
    }
    ChannelPipeline pipeline = ch.pipeline();
    if (pipeline.get(ENDING) != null || !ch.isActive()) {
      ReferenceCountUtil.release(lastPacket);
      if (!ch.isActive()) {
        ch.close();
      }
      return; // already ending, or gone
    }
    Ending ending = new Ending();
    if (pipeline.get(MQTT_FRAMING) != null) {
      pipeline.addBefore(MQTT_FRAMING, ENDING, ending);
    } else {
      pipeline.addFirst(ENDING, ending);
    }
    // Reading may have been paused (back-pressure, a paused socket before CONNACK): unread bytes would mean a reset.
    ch.config().setAutoRead(true);
    Future<Void> sent = lastPacket == null ? Future.succeededFuture() : socket.writeMessage(lastPacket);
    // Without a linger the socket closes once the packet is out; a packet that never gets out (a client that stopped
    // reading) must not hold the socket for ever either.
    ending.closeAfter(lingerMillis > 0 ? lingerMillis : UNFLUSHED_BOUND_MILLIS);
    sent.onComplete(ar -> {
      if (lingerMillis > 0) {
        ending.halfClose();
      } else {
        ending.closeNow();
      }
    });
  }

  /**
   * Closes now, without waiting for the client or the linger: for a connection through which nothing gets any more
   * (a slow consumer whose socket stays full). On the channel's event loop.
   */
  public static void abort(NetSocketInternal socket) {
    ChannelHandlerContext ending = socket.channelHandlerContext().pipeline().context(ENDING);
    if (ending != null) {
      ending.close(); // from the ending handler towards the socket: past its hold on other closes
    } else {
      socket.channelHandlerContext().close(); // below Vert.x's handler, which would wait for pending writes
    }
  }

  /** The handler of a connection being ended: discards what arrives, holds back other closes, closes when due. */
  private static final class Ending extends ChannelDuplexHandler {
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void closeAfter(long millis) {
      io.netty.util.concurrent.ScheduledFuture<?> timer = ctx.executor().schedule(this::closeNow, millis,
          TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(f -> timer.cancel(false));
    }

    /** From this handler towards the socket: past itself, so that it is not held back. */
    void closeNow() {
      ctx.close();
    }

    void halfClose() {
      Channel ch = ctx.channel();
      if (!ch.isActive()) {
        return;
      }
      Supplier<Object> farewell = ch.hasAttr(FAREWELL) ? ch.attr(FAREWELL).get() : null;
      if (farewell != null) {
        ch.writeAndFlush(farewell.get()).addListener(f -> closeOutbound());
      } else {
        closeOutbound();
      }
    }

    private void closeOutbound() {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.closeOutbound().addListener(f -> shutdownOutput());
      } else {
        shutdownOutput();
      }
    }

    private void shutdownOutput() {
      if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
        duplex.shutdownOutput();
      } else {
        closeNow();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    /** The client closed its side (where the transport allows half-closure; otherwise Netty closes by itself). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        closeNow();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    /** A close from further up the pipeline (Vert.x after an exception): done when this handler closes. */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
    }
  }
}
