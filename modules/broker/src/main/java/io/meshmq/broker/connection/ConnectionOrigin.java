package io.meshmq.broker.connection;

import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.internal.net.NetSocketInternal;

/**
 * The listener a connection was accepted by, attached to its channel by the listener and read by the connect
 * flow (the anonymous rule depends on the listener's interface, the username on its certificate setting).
 *
 * @param loopbackListener whether the listener is bound to loopback addresses only
 */
public record ConnectionOrigin(String listener, boolean loopbackListener, CertificateUsername certAsUsername) {

  private static final AttributeKey<ConnectionOrigin> KEY = AttributeKey.valueOf(ConnectionOrigin.class.getName());
  /** For a channel no listener marked: trusted with nothing. */
  private static final ConnectionOrigin UNKNOWN = new ConnectionOrigin("unknown", false, CertificateUsername.NONE);

  public void attachTo(Channel channel) {
    channel.attr(KEY).set(this);
  }

  /**
   * The origin, taken off the channel: read once, at CONNECT, it would otherwise stay attached for the
   * connection's lifetime (24 bytes per connection). Netty deprecates getAndRemove for attributes that may be
   * looked up again concurrently; this one is read once, on the channel's event loop.
   */
  @SuppressWarnings("deprecation")
  static ConnectionOrigin take(NetSocketInternal socket) {
    ConnectionOrigin origin = socket.channelHandlerContext().channel().attr(KEY).getAndRemove();
    return origin == null ? UNKNOWN : origin;
  }
}
