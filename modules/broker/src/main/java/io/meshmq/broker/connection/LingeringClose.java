package io.meshmq.broker.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
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
 *   <li>stop reading: whatever the client sends from now on is discarded at the bottom of the pipeline, before any
 *   decoder, and the socket keeps being read so that nothing piles up unread;</li>
 *   <li>send the last packet, if any;</li>
 *   <li>once it is flushed, half-close (a TLS close_notify, a WebSocket close frame first when the transport has
 *   one): the client reads the packet, then the end of the stream;</li>
 *   <li>close when the client closes its side (Netty closes a channel whose input ends) or after the linger bound,
 *   whichever comes first.</li>
 * </ol>
 */
public final class LingeringClose {

  /**
   * Set by a transport that frames the byte stream (WebSocket): the frame that says goodbye in that framing, written
   * before the half-close.
   */
  public static final AttributeKey<Supplier<Object>> FAREWELL = AttributeKey.valueOf("meshmq.farewell");

  private static final String DISCARD = "meshmqDiscardInbound";
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
    if (pipeline.get(DISCARD) != null) {
      ReferenceCountUtil.release(lastPacket);
      return; // already ending
    }
    if (!ch.isActive()) {
      ReferenceCountUtil.release(lastPacket);
      ch.close();
      return;
    }
    pipeline.addFirst(DISCARD, DiscardInbound.INSTANCE);
    // Reading may have been paused (back-pressure, a paused socket before CONNACK): unread bytes would mean a reset.
    ch.config().setAutoRead(true);
    Future<Void> sent = lastPacket == null ? Future.succeededFuture() : socket.writeMessage(lastPacket);
    // Without a linger the socket closes once the packet is out; a packet that never gets out (a client that stopped
    // reading) must not hold the socket for ever either.
    long bound = lingerMillis > 0 ? lingerMillis : UNFLUSHED_BOUND_MILLIS;
    ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> ch.close(), bound, TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> timer.cancel(false));
    sent.onComplete(ar -> {
      if (lingerMillis > 0) {
        halfClose(ch);
      } else {
        ch.close();
      }
    });
  }

  private static void halfClose(Channel ch) {
    if (!ch.isActive()) {
      return;
    }
    Supplier<Object> farewell = ch.hasAttr(FAREWELL) ? ch.attr(FAREWELL).get() : null;
    if (farewell != null) {
      ch.writeAndFlush(farewell.get()).addListener(f -> closeOutbound(ch));
    } else {
      closeOutbound(ch);
    }
  }

  private static void closeOutbound(Channel ch) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ssl.closeOutbound().addListener(f -> shutdownOutput(ch));
    } else {
      shutdownOutput(ch);
    }
  }

  private static void shutdownOutput(Channel ch) {
    if (ch instanceof DuplexChannel duplex && ch.isActive()) {
      duplex.shutdownOutput();
    } else {
      ch.close();
    }
  }

  /** Drops every inbound message of a connection being ended; stateless, shared by all of them. */
  @ChannelHandler.Sharable
  private static final class DiscardInbound extends ChannelInboundHandlerAdapter {
    static final DiscardInbound INSTANCE = new DiscardInbound();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    /** The client closed its side: so does the broker (also where the transport allows half-closure). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.channel().close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }
}
