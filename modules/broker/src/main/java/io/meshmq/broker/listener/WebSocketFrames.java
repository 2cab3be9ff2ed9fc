package io.meshmq.broker.listener;

import io.meshmq.broker.connection.ClientAddress;
import io.meshmq.broker.connection.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket is a byte stream carried in binary frames, a packet possibly spread over several frames
 * or several packets in one: inbound frames become plain bytes for the MQTT decoder, outbound bytes one binary
 * frame each. A text frame closes the connection (MQTT-6.0.0-1), as does a frame Netty's decoder refuses (over
 * the size limit, malformed). Closing sends a WebSocket close frame first, so browsers see a clean close instead
 * of an abnormal one.
 */
final class WebSocketFrames extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

  private static final Logger log = LoggerFactory.getLogger(WebSocketFrames.class);

  private static final Supplier<Object> FAREWELL = () -> new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);

  private boolean upgraded;
  private boolean closing;

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
      out.add(frame.content().retain());
      return;
    }
    log.info("Connection from {} closed: {} (MQTT travels in binary frames only)", ClientAddress.of(ctx.channel()),
        frame.getClass().getSimpleName());
    closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, ctx.newPromise());
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
    out.add(new BinaryWebSocketFrame(bytes.retain()));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HandshakeComplete) {
      upgraded = true;
      // A connection the broker ends says goodbye in WebSocket terms before its half-close.
      ctx.channel().attr(LingeringClose.FAREWELL).set(FAREWELL);
    }
    super.userEventTriggered(ctx, evt);
  }

  /** Netty's frame decoder has already answered a bad frame (e.g. 1009 for one over the size limit) and closes. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof CorruptedWebSocketFrameException) {
      log.info("Connection from {} closed: {}", ClientAddress.of(ctx.channel()), cause.getMessage());
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    closeWith(ctx, WebSocketCloseStatus.NORMAL_CLOSURE, promise);
  }

  private void closeWith(ChannelHandlerContext ctx, WebSocketCloseStatus status, ChannelPromise promise) {
    // (Half-closed by LingeringClose, which sent the close frame already: nothing more can be written.)
    if (!upgraded || closing || !ctx.channel().isActive()
        || (ctx.channel() instanceof DuplexChannel d && d.isOutputShutdown())) {
      ctx.close(promise);
      return;
    }
    closing = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(f -> ctx.close(promise));
  }
}
