package io.meshmq.broker.it.transport;

import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.file.Path;

/** A test broker with the authenticator and authorizer its {@code auth.*} settings describe; closes both. */
final class SecuredBroker implements AutoCloseable {

  final SecurityProviders security;
  final BrokerFixture broker;

  private SecuredBroker(SecurityProviders security, BrokerFixture broker) {
    this.security = security;
    this.broker = broker;
  }

  /** {@code overrides} alternate settings and values; relative auth file names are in {@code dir}. */
  static SecuredBroker start(Path dir, Object... overrides) {
    SecurityProviders security = SecurityProviders.fromSettings(Settings.of(overrides), dir);
    try {
      return new SecuredBroker(security, BrokerFixture.start(security.authenticator(), security.authorizer(), overrides));
    } catch (RuntimeException e) {
      security.close();
      throw e;
    }
  }

  int port(String listener) {
    return broker.broker().port(listener);
  }

  @Override
  public void close() {
    try {
      broker.close();
    } finally {
      security.close();
    }
  }
}
