package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.Settings;
import io.meshmq.server.config.ServerSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunningServerTest {

  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final Supplier<Future<Void>> closeVertx = () -> {
    steps.add("close vertx");
    return Future.succeededFuture();
  };

  @Test
  void stopStopsTheBrokerThenClosesVertx() {
    RunningServer server = server(() -> {
      steps.add("stop broker");
      return Future.succeededFuture();
    }, Settings.defaults());

    server.stop();
    server.awaitStopped();

    assertThat(steps).containsExactly("stop broker", "close vertx");
  }

  @Test
  void vertxIsClosedEvenWhenTheBrokerFailsToStop() {
    RunningServer failing = server(() -> Future.failedFuture("boom"), Settings.defaults());
    RunningServer throwing = server(() -> {
      throw new IllegalStateException("boom");
    }, Settings.defaults());

    failing.stop();
    throwing.stop();

    assertThat(steps).containsExactly("close vertx", "close vertx");
  }

  @Test
  void stopGivesUpAfterTheGracePeriod() {
    Promise<Void> never = Promise.promise();
    RunningServer server = server(never::future, Settings.of(ServerSettings.SHUTDOWN_GRACE_SECONDS, 1));

    long start = System.nanoTime();
    server.stop();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(millis).isBetween(900L, 10_000L);
  }

  @Test
  void stopIsIdempotent() {
    RunningServer server = server(() -> {
      steps.add("stop broker");
      return Future.succeededFuture();
    }, Settings.defaults());

    server.stop();
    server.stop();

    assertThat(steps).containsExactly("stop broker", "close vertx");
  }

  private RunningServer server(Supplier<Future<Void>> stopBroker, Settings settings) {
    return new RunningServer(listener -> 1883, stopBroker, closeVertx, settings);
  }
}
