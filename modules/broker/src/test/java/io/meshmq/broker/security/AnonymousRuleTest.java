package io.meshmq.broker.security;

import static io.meshmq.broker.config.BrokerSettings.AUTH_ALLOW_ANONYMOUS;
import static io.meshmq.broker.config.BrokerSettings.TCP_HOST;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings.AnonymousAccess;
import io.meshmq.broker.config.Settings;
import org.junit.jupiter.api.Test;

/** The rule that decides whether anonymous clients get in; see {@link SecurityProviders#anonymousAllowed}. */
class AnonymousRuleTest {

  @Test
  void byDefaultAnonymousIsAllowedOnlyOnALoopbackListener() {
    assertThat(SecurityProviders.anonymousAllowed(Settings.defaults())).as("default host 127.0.0.1").isTrue();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "127.0.0.1"))).isTrue();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "localhost"))).isTrue();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "::1"))).isTrue();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "0.0.0.0"))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "::"))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "10.1.2.3"))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "192.168.0.10"))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, ""))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "no-such-host.invalid"))).isFalse();
  }

  @Test
  void loopbackOnlyIsTheDefaultAndCanBeWrittenOut() {
    assertThat(Settings.defaults().get(AUTH_ALLOW_ANONYMOUS)).isEqualTo(AnonymousAccess.LOOPBACK_ONLY);
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "0.0.0.0", AUTH_ALLOW_ANONYMOUS, "loopback-only")))
        .as("a configuration seeded from --print-config keeps the rule").isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "127.0.0.1", AUTH_ALLOW_ANONYMOUS, "loopback-only")))
        .isTrue();
  }

  @Test
  void trueAllowsAnonymousOnAnyListener() {
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "0.0.0.0", AUTH_ALLOW_ANONYMOUS, true))).isTrue();
  }

  @Test
  void falseRefusesAnonymousEverywhere() {
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "127.0.0.1", AUTH_ALLOW_ANONYMOUS, false))).isFalse();
    assertThat(SecurityProviders.anonymousAllowed(Settings.of(TCP_HOST, "0.0.0.0", AUTH_ALLOW_ANONYMOUS, "false"))).isFalse();
  }
}
