package io.meshmq.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay in front of one Hazelcast member's port, which the other members reach it through (the member
 * advertises the relay as its public address). {@link #cut()} closes every relayed connection and refuses new
 * ones until {@link #heal()}: a real network partition between that member and the others, on loopback.
 */
final class MemberProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final NetServer server;
  private final int targetPort;
  private volatile boolean cut;

  MemberProxy(int targetPort) throws Exception {
    this.targetPort = targetPort;
    this.server = vertx.createNetServer().connectHandler(this::relay).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  void heal() {
    cut = false;
  }

  private void relay(NetSocket in) {
    if (cut) {
      in.close();
      return;
    }
    in.pause();
    vertx.createNetClient().connect(targetPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed() || cut) {
        in.close();
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      NetSocket out = ar.result();
      open.add(in);
      open.add(out);
      in.closeHandler(v -> {
        open.remove(in);
        out.close();
      });
      out.closeHandler(v -> {
        open.remove(out);
        in.close();
      });
      in.pipeTo(out);
      out.pipeTo(in);
      in.resume();
    });
  }

  @Override
  public void close() {
    vertx.close();
  }
}
