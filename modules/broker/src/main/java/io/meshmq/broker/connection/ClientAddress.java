package io.meshmq.broker.connection;

import io.netty.channel.Channel;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetSocketAddress;

/**
 * The client's address as "host:port", the one place that decides it: the address a PROXY protocol header named
 * (listeners.*.proxy-protocol: the socket's peer is then the load balancer), otherwise the socket's peer. Logs, the
 * failed-login limiter, the authenticator and the admin API all read it here, so that none of them sees a proxy's
 * address where the others see the client's.
 */
public final class ClientAddress {

  private ClientAddress() {
  }

  /**
   * Read from the Netty channel rather than Vert.x's {@code socket.remoteAddress()}, which keeps a SocketAddress and
   * its host string (80 bytes) on the connection for its lifetime, for an address the JDK socket holds anyway.
   */
  public static String of(Channel channel) {
    try {
      // Set by Vert.x from the PROXY header, before the connection reaches the broker.
      SocketAddress proxied = channel.hasAttr(ConnectionBase.REMOTE_ADDRESS_OVERRIDE)
          ? channel.attr(ConnectionBase.REMOTE_ADDRESS_OVERRIDE).get() : null;
      if (proxied != null) {
        return proxied.isInetSocket() ? proxied.host() + ":" + proxied.port() : String.valueOf(proxied);
      }
      if (channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
      }
      return String.valueOf(channel.remoteAddress());
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
