package io.meshmq.broker.listener;

import io.meshmq.broker.connection.ClientAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the HTTP requests that are not an MQTT WebSocket upgrade with an HTTP error and closes the
 * connection: another path (404), no WebSocket upgrade (400), no {@code mqtt}/{@code mqttv3.1} subprotocol
 * offered (400). Netty's handshake handler would pass the first on and accept the last without a subprotocol.
 */
final class WebSocketUpgradeCheck extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(WebSocketUpgradeCheck.class);
  static final List<String> SUBPROTOCOLS = List.of("mqtt", "mqttv3.1");
  private static final Set<String> SUBPROTOCOL_SET = Set.copyOf(SUBPROTOCOLS);

  private final String path;

  WebSocketUpgradeCheck(String path) {
    this.path = path;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      String problem = problem(request);
      if (problem != null) {
        HttpResponseStatus status = problem.startsWith("no such path") ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.BAD_REQUEST;
        log.info("WebSocket upgrade from {} refused with {}: {}", ClientAddress.of(ctx.channel()), status.code(), problem);
        ReferenceCountUtil.release(msg);
        refuse(ctx, status, problem);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private String problem(FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      return "malformed HTTP request";
    }
    String requested = new QueryStringDecoder(request.uri()).path();
    if (!requested.equals(path)) {
      return "no such path " + requested + " (MQTT is at " + path + ")";
    }
    if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return "not a WebSocket upgrade request";
    }
    String offered = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (offered == null || Arrays.stream(offered.split(",")).map(String::trim).noneMatch(SUBPROTOCOL_SET::contains)) {
      return "no MQTT subprotocol offered (Sec-WebSocket-Protocol: " + offered + "; expected one of " + SUBPROTOCOLS + ")";
    }
    return null;
  }

  private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String problem) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(problem + "\n", StandardCharsets.UTF_8));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
