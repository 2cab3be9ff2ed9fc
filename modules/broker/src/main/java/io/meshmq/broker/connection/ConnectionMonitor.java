package io.meshmq.broker.connection;

import io.vertx.core.Vertx;
import java.util.ArrayList;

/**
 * The connections of one event loop and its single keep-alive sweep: one periodic timer per loop instead of
 * a timer per connection, so an idle connection costs no timer. Touched only on its loop's context.
 * The connections sit in a list, each knowing its slot (removal moves the last one into the gap): 4 bytes a
 * connection instead of a hash set's 32-byte entry, and a sweep walks an array.
 */
public final class ConnectionMonitor {

  private final ArrayList<ClientConnection> connections = new ArrayList<>();
  private final Vertx vertx;
  private final Runnable whenEmpty;
  private long timer = -1;

  public ConnectionMonitor(Vertx vertx) {
    this(vertx, null);
  }

  /** A monitor that runs {@code whenEmpty} when its last connection is gone (one monitor per connection). */
  public ConnectionMonitor(Vertx vertx, Runnable whenEmpty) {
    this.vertx = vertx;
    this.whenEmpty = whenEmpty;
  }

  /** Starts the sweep; must be called on the loop's context. */
  public void start() {
    timer = vertx.setPeriodic(1000, id -> sweep());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  void add(ClientConnection c) {
    if (c.monitorSlot < 0) {
      c.monitorSlot = connections.size();
      connections.add(c);
    }
  }

  void remove(ClientConnection c) {
    int slot = c.monitorSlot;
    if (slot < 0) {
      return;
    }
    ClientConnection last = connections.remove(connections.size() - 1);
    if (last != c) {
      connections.set(slot, last);
      last.monitorSlot = slot;
    }
    c.monitorSlot = -1;
    if (connections.isEmpty() && whenEmpty != null) {
      whenEmpty.run();
    }
  }

  public int size() {
    return connections.size();
  }

  /** Takes every connection of this loop down with the node's shutdown DISCONNECT (MQTT 5; 3.1.1: closed). */
  public void disconnectAll(ShutdownDisconnect disconnect) {
    for (ClientConnection c : connections.toArray(new ClientConnection[0])) {
      c.disconnect(disconnect.reason(), disconnect.properties());
    }
  }

  /** Checks every connection's keep-alive and outbound progress now; on the loop's context. */
  public void sweep() {
    long now = System.currentTimeMillis();
    for (ClientConnection c : connections.toArray(new ClientConnection[0])) {
      c.checkKeepAlive(now);
      c.checkOutbound(now);
    }
  }
}
