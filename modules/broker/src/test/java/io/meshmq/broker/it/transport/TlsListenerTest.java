package io.meshmq.broker.it.transport;

import static io.meshmq.broker.it.transport.TransportClients.closeQuietly;
import static io.meshmq.broker.it.transport.TransportClients.hive;
import static io.meshmq.broker.it.transport.TransportClients.hiveRoundTrip;
import static io.meshmq.broker.it.transport.TransportClients.paho;
import static io.meshmq.broker.it.transport.TransportClients.pahoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS listener with real clients: Paho v3 and HiveMQ over TLS, old protocol versions refused, certificate reload. */
class TlsListenerTest {

  @TempDir
  Path dir;

  private TestPki pki;
  private Path cert;
  private Path key;
  private BrokerFixture broker;
  private MqttClient paho;

  @BeforeEach
  void start() throws IOException {
    pki = TestPki.newCa("MeshMQ test CA");
    cert = dir.resolve("broker.crt");
    key = dir.resolve("broker.key");
    pki.server("broker-one").write(cert, key);
    broker = BrokerFixture.start(BrokerSettings.TLS_ENABLED, true, BrokerSettings.TLS_PORT, 0,
        BrokerSettings.TLS_CERT_FILE, cert.toString(), BrokerSettings.TLS_KEY_FILE, key.toString(),
        BrokerSettings.TLS_RELOAD_SECONDS, 1);
  }

  @AfterEach
  void stop() {
    closeQuietly(paho);
    broker.close();
  }

  private String tlsUri() {
    return "ssl://127.0.0.1:" + broker.broker().port("tls");
  }

  @Test
  void pahoV3PublishesAndReceivesOverTlsAndMeetsPlainTcpClients() throws Exception {
    paho = paho(tlsUri(), "tls-paho", TestPki.clientContext(pki.caCertificate(), null).getSocketFactory(), null, null);
    MqttClient plain = paho(broker.tcpUri(), "tcp-paho", null, null, null);
    try {
      pahoRoundTrip(paho, paho, "tls/self", TransportClients.bytes("to myself"));
      pahoRoundTrip(paho, plain, "tls/from-tcp", TransportClients.bytes("from plain TCP to TLS"));
    } finally {
      closeQuietly(plain);
    }
  }

  @Test
  void hiveMqMqtt5PublishesAndReceivesOverTls() throws Exception {
    hiveRoundTrip(hive(broker.broker().port("tls"), "tls-hive", b -> b.sslConfig()
        .trustManagerFactory(TestPki.trusting(pki.caCertificate()))
        .protocols(java.util.List.of("TLSv1.3"))
        .applySslConfig()), "tls/hive");
  }

  @Test
  void aClientOfferingNothingNewerThanTls11GetsAProtocolVersionAlert() throws Exception {
    byte[] reply = RawTlsHello.exchange(broker.broker().port("tls"), 0x0302);

    assertThat(reply).as("TLS alert record, fatal, protocol_version").hasSize(7);
    assertThat(reply[0]).isEqualTo((byte) RawTlsHello.ALERT);
    assertThat(reply[5]).as("alert level fatal").isEqualTo((byte) 2);
    assertThat(reply[6]).as("alert description").isEqualTo((byte) RawTlsHello.PROTOCOL_VERSION_ALERT);
    // The same hello offering TLS 1.2 is answered with a ServerHello: the refusal is about the version alone.
    byte[] accepted = RawTlsHello.exchange(broker.broker().port("tls"), 0x0303);
    assertThat(accepted[0]).isEqualTo((byte) RawTlsHello.HANDSHAKE);
    assertThat(accepted[5]).isEqualTo((byte) RawTlsHello.SERVER_HELLO);
  }

  @Test
  void changedCertificateFilesServeNewConnectionsWithoutARestartWhileOpenOnesStay() throws Exception {
    paho = paho(tlsUri(), "before-reload", TestPki.clientContext(pki.caCertificate(), null).getSocketFactory(), null, null);
    assertThat(servedCommonName()).isEqualTo("CN=broker-one");

    TestPki.Issued renewed = pki.server("broker-two");
    Path newCert = Files.createTempFile(dir, "new", ".crt");
    Path newKey = Files.createTempFile(dir, "new", ".key");
    renewed.write(newCert, newKey);
    // Replaced as a deployment tool would: each file moved into place whole.
    Files.move(newKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.move(newCert, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(servedCommonName()).isEqualTo("CN=broker-two"));
    // Connections are spread over the event loops, one server instance each: all of them serve the new certificate.
    for (int i = 0; i < 6; i++) {
      assertThat(servedCommonName()).as("new connection %d", i).isEqualTo("CN=broker-two");
    }
    assertThat(paho.isConnected()).as("the connection opened before the reload").isTrue();
    pahoRoundTrip(paho, paho, "tls/after-reload", TransportClients.bytes("still here"));
  }

  @Test
  void unloadableCertificateFilesKeepThePreviousCertificateInService() throws Exception {
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    TestPki.Issued renewed = pki.server("after-the-broken-one");
    // Three reload intervals with the broken key: the listener keeps the working certificate.
    Thread.sleep(3_000);
    assertThat(servedCommonName()).isEqualTo("CN=broker-one");

    renewed.write(cert, key);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(servedCommonName()).isEqualTo("CN=after-the-broken-one"));
  }

  /** The subject of the certificate the TLS listener presents to a new connection. */
  private String servedCommonName() throws IOException {
    try (SSLSocket s = (SSLSocket) TestPki.clientContext(pki.caCertificate(), null).getSocketFactory()
        .createSocket("127.0.0.1", broker.broker().port("tls"))) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }
}
