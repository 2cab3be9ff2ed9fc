package io.meshmq.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.meshmq.broker.test.TestPki;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** The username a client certificate gives, per listeners.tls.cert-as-username. */
class CertificateNamesTest {

  private final TestPki pki = TestPki.newCa("names CA");

  @Test
  void cnIsTheSubjectsCommonName() {
    X509Certificate c = pki.client("sensor-7", "ops@example.com").certificate();

    assertThat(CertificateNames.of(c, CertificateUsername.CN)).isEqualTo("sensor-7");
  }

  @Test
  void sanIsTheFirstClientNameAmongTheAlternativeNames() {
    X509Certificate c = pki.client("sensor-7", "ops@example.com", "second@example.com").certificate();

    assertThat(CertificateNames.of(c, CertificateUsername.SAN)).isEqualTo("ops@example.com");
  }

  @Test
  void aCertificateWithoutTheNameGivesNone() {
    assertThat(CertificateNames.of(pki.client("no-sans").certificate(), CertificateUsername.SAN)).isNull();
    assertThat(CertificateNames.of(pki.client("x").certificate(), CertificateUsername.NONE)).isNull();
  }

  @Test
  void aServerCertificatesIpAddressIsNotAClientName() {
    // 127.0.0.1 (an IP address entry) comes first, then DNS localhost
    assertThat(CertificateNames.of(pki.server("broker").certificate(), CertificateUsername.SAN)).isEqualTo("localhost");
  }
}
