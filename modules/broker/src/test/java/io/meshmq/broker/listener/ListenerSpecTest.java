package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.TCP_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.TLS_CA_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_CERT_AS_USERNAME;
import static io.meshmq.broker.config.BrokerSettings.TLS_CERT_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_CLIENT_AUTH;
import static io.meshmq.broker.config.BrokerSettings.TLS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.TLS_KEY_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_PROTOCOLS;
import static io.meshmq.broker.config.BrokerSettings.WSS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.WS_ENABLED;
import static io.meshmq.broker.config.BrokerSettings.WS_HOST;
import static io.meshmq.broker.config.BrokerSettings.WS_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which listeners the settings describe, and the configurations refused at start with the key to fix. */
class ListenerSpecTest {

  private static final Settings TLS_FILES = Settings.of(TLS_CERT_FILE, "broker.crt", TLS_KEY_FILE, "broker.key");

  @Test
  void byDefaultOnlyThePlainTcpListenerRunsOnLoopback() {
    List<ListenerSpec> specs = ListenerSpec.enabled(Settings.defaults());

    assertThat(specs).extracting(ListenerSpec::url).containsExactly("mqtt://127.0.0.1:1883");
    assertThat(specs.get(0).loopback()).isTrue();
  }

  @Test
  void everyListenerWithItsDefaults() {
    Settings all = TLS_FILES.with(TLS_ENABLED, true).with(WS_ENABLED, true).with(WSS_ENABLED, true).with(WS_HOST, "0.0.0.0");

    assertThat(ListenerSpec.enabled(all)).extracting(ListenerSpec::url).containsExactly("mqtt://127.0.0.1:1883",
        "mqtts://127.0.0.1:8883", "ws://0.0.0.0:8083/mqtt", "wss://127.0.0.1:8084/mqtt");
    assertThat(ListenerSpec.enabled(all)).extracting(ListenerSpec::loopback).containsExactly(true, true, false, true);
    assertThat(ListenerSpec.enabled(all).get(1).tls().protocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
  }

  @Test
  void tlsWithoutCertificateFilesIsRefused() {
    assertRefused(Settings.of(TLS_ENABLED, true), TLS_CERT_FILE.key());
    assertRefused(Settings.of(WSS_ENABLED, true, TLS_CERT_FILE, "broker.crt"), TLS_KEY_FILE.key());
  }

  @Test
  void clientCertificatesNeedACaFileAndCertificateUsernamesNeedClientCertificates() {
    assertRefused(TLS_FILES.with(TLS_ENABLED, true).with(TLS_CLIENT_AUTH, "required"), TLS_CA_FILE.key());
    assertRefused(TLS_FILES.with(TLS_ENABLED, true).with(TLS_CERT_AS_USERNAME, "cn"), TLS_CERT_AS_USERNAME.key());
  }

  @Test
  void tlsVersionsOlderThan12AreRefused() {
    assertRefused(TLS_FILES.with(TLS_ENABLED, true).with(TLS_PROTOCOLS, "TLSv1.3,TLSv1.1"), TLS_PROTOCOLS.key());
    assertRefused(TLS_FILES.with(TLS_ENABLED, true).with(TLS_PROTOCOLS, " , "), TLS_PROTOCOLS.key());
    assertThat(ListenerSpec.enabled(TLS_FILES.with(TLS_ENABLED, true).with(TLS_PROTOCOLS, "TLSv1.3")).get(1).tls().protocols())
        .containsExactly("TLSv1.3");
  }

  @Test
  void aWebSocketPathMustBeAnAbsolutePathWithoutQuery() {
    assertRefused(Settings.of(WS_ENABLED, true, WS_PATH, "mqtt"), WS_PATH.key());
    assertRefused(Settings.of(WS_ENABLED, true, WS_PATH, "/mqtt?x=1"), WS_PATH.key());
  }

  @Test
  void aBrokerWithoutAnyListenerIsRefused() {
    assertRefused(Settings.of(TCP_ENABLED, false), TCP_ENABLED.key());
  }

  private static void assertRefused(Settings settings, String key) {
    assertThatThrownBy(() -> ListenerSpec.enabled(settings)).isInstanceOfSatisfying(InvalidSettingException.class,
        e -> assertThat(e.key()).isEqualTo(key));
  }
}
