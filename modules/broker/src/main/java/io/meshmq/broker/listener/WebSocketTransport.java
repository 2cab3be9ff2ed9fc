package io.meshmq.broker.listener;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * Puts the HTTP upgrade and WebSocket framing in front of a connection's MQTT handlers (Netty's own codec and
 * handshake), so that MQTT over WebSocket meets the same decoder, gate, limits and connection handling as MQTT
 * over TCP. No compression extension: it would let a small frame inflate past the packet size limit.
 */
final class WebSocketTransport {

  /** An upgrade request has no body; its line and headers are bounded by HttpServerCodec's defaults (4 KiB, 8 KiB). */
  private static final int MAX_UPGRADE_BODY = 0;

  private WebSocketTransport() {
  }

  /**
   * @param before the first MQTT handler
   * @param maxFrameBytes the largest frame accepted: the packet size limit, since one frame may hold one whole packet
   * @param handshakeTimeoutMillis how long the upgrade may take once requested
   */
  static void install(ChannelPipeline pipeline, String before, String path, int maxFrameBytes, long handshakeTimeoutMillis) {
    WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(path)
        // The upgrade check has matched the path without its query; Netty compares the whole URI otherwise.
        .checkStartsWith(true)
        .subprotocols(String.join(",", WebSocketUpgradeCheck.SUBPROTOCOLS))
        .handshakeTimeoutMillis(handshakeTimeoutMillis)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxFrameBytes)
            .allowExtensions(false)
            .build())
        .build();
    pipeline.addBefore(before, "httpCodec", new HttpServerCodec());
    pipeline.addBefore(before, "httpAggregator", new HttpObjectAggregator(MAX_UPGRADE_BODY));
    pipeline.addBefore(before, "wsUpgradeCheck", new WebSocketUpgradeCheck(path));
    pipeline.addBefore(before, "wsProtocol", new WebSocketServerProtocolHandler(config));
    pipeline.addBefore(before, "wsFrames", new WebSocketFrames());
  }
}
