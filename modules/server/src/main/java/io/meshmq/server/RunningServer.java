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
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started broker node and the Vert.x instance it runs on; {@link #stop()} tears both down. */
public final class RunningServer {

  private static final Logger log = LoggerFactory.getLogger(RunningServer.class);

  private final IntSupplier mqttPort;
  private final Supplier<Future<Void>> stopBroker;
  private final Supplier<Future<Void>> closeVertx;
  private final Settings settings;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  RunningServer(Vertx vertx, Broker broker, Settings settings) {
    this(broker::mqttPort, broker::stop, vertx::close, settings);
  }

  // The steps rather than the objects, so that the stop sequence can be tested without a real broker.
  RunningServer(IntSupplier mqttPort, Supplier<Future<Void>> stopBroker, Supplier<Future<Void>> closeVertx,
                Settings settings) {
    this.mqttPort = mqttPort;
    this.stopBroker = stopBroker;
    this.closeVertx = closeVertx;
    this.settings = settings;
  }

  /** The port the plain MQTT listener is bound to (the real one when configured as 0). */
  public int mqttPort() {
    return mqttPort.getAsInt();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Stops the broker, then closes Vert.x, waiting at most {@code shutdown.grace-seconds} in total; a shutdown that
   * takes longer is logged and abandoned so that a stuck connection cannot keep a terminated process alive.
   * Idempotent; a second caller waits for the first. Blocks, so it must not be called from a Vert.x thread.
   */
  public void stop() {
    if (!stopRequested.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    int graceSeconds = settings.get(ServerSettings.SHUTDOWN_GRACE_SECONDS);
    log.info("Stopping MeshMQ (waiting at most {} s)", graceSeconds);
    try {
      call(stopBroker).eventually(() -> call(closeVertx)).await(graceSeconds, TimeUnit.SECONDS);
      log.info("MeshMQ stopped");
    } catch (TimeoutException e) {
      log.warn("MeshMQ did not stop within shutdown.grace-seconds={}; giving up", graceSeconds);
    } catch (Exception e) { // a failed broker stop still closed Vert.x, via eventually
      log.warn("MeshMQ stopped with an error", e);
    } finally {
      stopped.countDown();
    }
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
