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
 * {@link #stall()} holds every byte in both directions, connections open, until {@link #resume()}: what a member
 * whose process stopped for a while looks like to the others.
 */
final class MemberProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final NetServer server;
  private final int targetPort;
  private volatile boolean cut;
  /** Each relayed direction, so that a stall can hold its bytes and a resume write them, in order, on its context. */
  private final Set<Direction> directions = ConcurrentHashMap.newKeySet();
  private volatile boolean stalled;

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

  /** Holds every byte from now on: returns once each relayed direction holds (a write made next is held). */
  void stall() {
    stalled = true;
    java.util.List<io.vertx.core.Future<Void>> applied = new java.util.ArrayList<>();
    for (Direction d : directions) {
      io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
      d.context.runOnContext(v -> {
        d.stalled = true;
        p.complete();
      });
      applied.add(p.future());
    }
    try {
      io.vertx.core.Future.all(applied).await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the relay did not stall within 10 s", e);
    }
  }

  void resume() {
    stalled = false;
    directions.forEach(d -> d.context.runOnContext(v -> d.resume()));
  }

  /** Bytes from one socket to the other; touched on the context of the pair only. */
  private static final class Direction {
    final io.vertx.core.Context context;
    final NetSocket to;
    final java.util.List<io.vertx.core.buffer.Buffer> held = new java.util.ArrayList<>();
    boolean stalled;

    Direction(io.vertx.core.Context context, NetSocket to, boolean stalled) {
      this.context = context;
      this.to = to;
      this.stalled = stalled;
    }

    void relay(io.vertx.core.buffer.Buffer chunk) {
      if (stalled) {
        held.add(chunk);
      } else {
        to.write(chunk);
      }
    }

    void resume() {
      stalled = false;
      held.forEach(to::write);
      held.clear();
    }
  }

  private Direction direction(NetSocket from, NetSocket to) {
    Direction d = new Direction(io.vertx.core.Vertx.currentContext(), to, stalled);
    directions.add(d);
    from.handler(d::relay);
    return d;
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
      Direction inbound = direction(in, out);
      Direction outbound = direction(out, in);
      in.closeHandler(v -> {
        open.remove(in);
        directions.remove(inbound);
        out.close();
      });
      out.closeHandler(v -> {
        open.remove(out);
        directions.remove(outbound);
        in.close();
      });
      in.resume();
    });
  }

  @Override
  public void close() {
    vertx.close();
  }
}
