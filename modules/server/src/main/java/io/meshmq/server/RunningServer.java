package io.meshmq.server;

import io.meshmq.broker.Broker;
import io.meshmq.broker.config.Settings;
import io.meshmq.server.config.ServerSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started broker node and the Vert.x instance it runs on; {@link #stop()} tears both down. */
public final class RunningServer {

  private static final Logger log = LoggerFactory.getLogger(RunningServer.class);

  private final ToIntFunction<String> ports;
  private final Supplier<Future<Void>> stopBroker;
  private final Supplier<Future<Void>> closeVertx;
  private final Settings settings;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile int httpPort = -1;
  private volatile String lostCluster;

  RunningServer(Vertx vertx, Broker broker, Settings settings) {
    this(broker::port, broker::stop, vertx::close, settings);
  }

  // The steps rather than the objects, so that the stop sequence can be tested without a real broker.
  RunningServer(ToIntFunction<String> ports, Supplier<Future<Void>> stopBroker, Supplier<Future<Void>> closeVertx,
                Settings settings) {
    this.ports = ports;
    this.stopBroker = stopBroker;
    this.closeVertx = closeVertx;
    this.settings = settings;
  }

  /** The port the plain MQTT listener is bound to (the real one when configured as 0). */
  public int mqttPort() {
    return port("tcp");
  }

  /** The port of the MQTT listener named tcp, tls, ws or wss (the real one when configured as 0); 0 when it is off. */
  public int port(String listener) {
    return ports.applyAsInt(listener);
  }

  /** The port of the HTTP listener (health, metrics, admin API), the real one when configured as 0. */
  public int httpPort() {
    return httpPort;
  }

  void httpPort(int port) {
    this.httpPort = port;
  }

  /** Whether {@link #stop()} has been called: from that moment on the node reports itself not ready. */
  public boolean isStopping() {
    return stopRequested.get();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Flips readiness to false (at once: {@link #isStopping()}), waits {@code shutdown.unready-seconds} so that load
   * balancers take the node out, stops the broker, then closes Vert.x (and with it the HTTP listener), waiting at
   * most {@code shutdown.grace-seconds} in total; a shutdown that
   * takes longer is logged and abandoned so that a stuck connection cannot keep a terminated process alive.
   * Idempotent; a second caller waits for the first. Blocks, so it must not be called from a Vert.x thread.
   */
  public void stop() {
    if (!stopRequested.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    int graceSeconds = settings.get(ServerSettings.SHUTDOWN_GRACE_SECONDS);
    int unreadySeconds = Math.min(settings.get(ServerSettings.SHUTDOWN_UNREADY_SECONDS), graceSeconds);
    log.info("Stopping MeshMQ (waiting at most {} s)", graceSeconds);
    try {
      if (unreadySeconds > 0) {
        log.info("Readiness is now false; closing the listeners in {} s", unreadySeconds);
        Thread.sleep(TimeUnit.SECONDS.toMillis(unreadySeconds));
      }
      call(stopBroker).eventually(() -> call(closeVertx)).await(graceSeconds - unreadySeconds, TimeUnit.SECONDS);
      log.info("MeshMQ stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("Interrupted while waiting to stop; stopping now");
      call(stopBroker).eventually(() -> call(closeVertx));
    } catch (TimeoutException e) {
      log.warn("MeshMQ did not stop within shutdown.grace-seconds={}; giving up", graceSeconds);
    } catch (Exception e) { // a failed broker stop still closed Vert.x, via eventually
      log.warn("MeshMQ stopped with an error", e);
    } finally {
      stopped.countDown();
    }
  }

  /**
   * Stops the server because its node lost the cluster under it ({@code ClusterNode.lost()}); the process then
   * ends with its own exit status, so that a supervisor restarts it. Blocks like {@link #stop()}.
   */
  void stopLostCluster(String why) {
    lostCluster = why;
    log.error("Stopping MeshMQ: {}", why);
    stop();
  }

  /** Whether the server stopped because its node lost the cluster (see {@link #stopLostCluster}). */
  public boolean lostCluster() {
    return lostCluster != null;
  }

  /** Blocks until {@link #stop()} has finished. */
  public void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // A step may throw instead of failing its future; the next step must run either way.
  private static Future<Void> call(Supplier<Future<Void>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
