package io.meshmq.server.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/**
 * Sockets bound to one local address before they connect, so that a client on this machine comes from, e.g.,
 * 127.0.0.2 (every 127.x.y.z address is the loopback interface's on Linux): distinct clients behind one proxy.
 * Remembers the sockets it made, so that a test knows the port each client came from.
 */
final class SourceBoundSockets extends SocketFactory {

  private final InetAddress source;
  private final List<Socket> made = new CopyOnWriteArrayList<>();

  SourceBoundSockets(String source) throws IOException {
    this.source = InetAddress.getByName(source);
  }

  /** The local port of the last socket made (the client's end, as the broker should see it). */
  int lastLocalPort() {
    return made.get(made.size() - 1).getLocalPort();
  }

  @Override
  public Socket createSocket() throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(source, 0));
    made.add(s);
    return s;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(address, port));
  }

  private Socket connected(InetSocketAddress to) throws IOException {
    Socket s = createSocket();
    s.connect(to);
    return s;
  }
}
