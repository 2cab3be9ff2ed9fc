package io.meshmq.broker.test;

import io.meshmq.broker.Broker;
import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;

/**
 * A real broker on a random free loopback port, for tests: its own Vert.x with two event loops (so that
 * cross-loop paths are exercised), default settings plus the given overrides.
 */
public final class BrokerFixture implements AutoCloseable {

  private final Vertx vertx;
  private final Broker broker;

  private BrokerFixture(Vertx vertx, Broker broker) {
    this.vertx = vertx;
    this.broker = broker;
  }

  /** Starts a broker; {@code overrides} alternates settings and raw values. */
  public static BrokerFixture start(Object... overrides) {
    return start(Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL, overrides);
  }

  public static BrokerFixture start(Authenticator authenticator, Authorizer authorizer, Object... overrides) {
    Settings settings = Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.SYS_INTERVAL_SECONDS, 0);
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      settings = settings.with((io.meshmq.broker.config.Setting<?>) overrides[i], overrides[i + 1]);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      Broker broker = Broker.start(vertx, settings, authenticator, authorizer).await(30, TimeUnit.SECONDS);
      return new BrokerFixture(vertx, broker);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("broker did not start", e);
    }
  }

  public int port() {
    return broker.mqttPort();
  }

  public String tcpUri() {
    return "tcp://127.0.0.1:" + port();
  }

  public Broker broker() {
    return broker;
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    try {
      broker.stop().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing Vert.x below closes whatever is left
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
