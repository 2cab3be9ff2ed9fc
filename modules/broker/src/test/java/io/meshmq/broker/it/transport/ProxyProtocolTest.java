package io.meshmq.broker.it.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authenticator.AuthResult;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.TestPki;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * listeners.tcp.proxy-protocol and listeners.tls.proxy-protocol over real sockets, with the headers written by hand
 * (haproxy itself in front of a cluster: the server module's HaproxyFrontTest): the client's address is the one the
 * header names, on both versions and before a TLS handshake; a connection without the header is refused; a listener
 * without the setting takes a header for what it is, a malformed packet.
 */
class ProxyProtocolTest {

  /** The PROXY v2 signature, then version 2 / PROXY command, then TCP over IPv4 and 12 bytes of addresses. */
  private static final byte[] V2_PREFIX = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
      0x21, 0x11, 0x00, 0x0C};

  @TempDir
  Path dir;

  /** What the authenticator was told: "client-id from host:port", in order. */
  private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
  private final Authenticator recordAddress = request -> {
    seen.add(request.clientId() + " from " + request.remoteAddress());
    return Future.succeededFuture(AuthResult.ALLOWED);
  };
  private BrokerFixture broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aV1HeaderNamesTheClient() throws Exception {
    assertThat(connectAfter("PROXY TCP4 198.51.100.7 127.0.0.1 40123 1883\r\n".getBytes(StandardCharsets.US_ASCII), 4))
        .isEqualTo("from 198.51.100.7:40123");
  }

  @Test
  void aV2HeaderNamesTheClient() throws Exception {
    assertThat(connectAfter(v2Header(new byte[] {(byte) 203, 0, 113, 9}, 50_001), 5))
        .isEqualTo("from 203.0.113.9:50001");
  }

  /**
   * Connects (MQTT {@code version}) to a tcp listener with proxy-protocol on, after {@code header}; returns where the
   * authenticator was told the client is ("from host:port").
   */
  private String connectAfter(byte[] header, int version) throws Exception {
    broker = BrokerFixture.start(recordAddress, Authorizer.ALLOW_ALL, BrokerSettings.TCP_PROXY_PROTOCOL, true);
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      raw.write(header);
      assertThat(raw.connect(MqttPackets.connect(version).clientId("proxied")).type()).isEqualTo(MqttPackets.CONNACK);
    }
    String seenNow = seen.poll(5, TimeUnit.SECONDS);
    return seenNow == null ? null : seenNow.substring("proxied ".length());
  }

  @Test
  void withTheSettingOnAConnectionWithoutTheHeaderIsClosedBeforeMqtt() throws Exception {
    // Netty's decoder takes bytes that are not the binary v2 signature for a text v1 header still arriving (it waits
    // for its CRLF, up to 108 bytes): a short CONNECT is closed when the header's time runs out (the connect
    // timeout), never read as MQTT. (Waiting here for the default 10 s made this test race its own wait.)
    broker = BrokerFixture.start(recordAddress, Authorizer.ALLOW_ALL, BrokerSettings.TCP_PROXY_PROTOCOL, true,
        BrokerSettings.CONNECT_TIMEOUT_SECONDS, 1);
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      raw.write(MqttPackets.connect(4).clientId("not-proxied").encode());
      assertThat(raw.awaitClosed(Duration.ofSeconds(8))).as("closed by the broker").isTrue();
      assertThat(raw.packetsBeforeClose()).as("no CONNACK").isEmpty();
    }
    assertThat(seen.poll(500, TimeUnit.MILLISECONDS)).as("the CONNECT never reached the broker").isNull();
  }

  @Test
  void withTheSettingOnASilentConnectionIsClosedAfterTheConnectTimeout() throws Exception {
    broker = BrokerFixture.start(recordAddress, Authorizer.ALLOW_ALL, BrokerSettings.TCP_PROXY_PROTOCOL, true,
        BrokerSettings.CONNECT_TIMEOUT_SECONDS, 1);
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      long t0 = System.nanoTime();
      assertThat(raw.awaitClosed(Duration.ofSeconds(8))).as("closed by the broker").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void withoutTheSettingAHeaderIsAMalformedPacketAndTheClientKeepsItsOwnAddress() throws Exception {
    broker = BrokerFixture.start(recordAddress, Authorizer.ALLOW_ALL);
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      raw.write("PROXY TCP4 198.51.100.7 127.0.0.1 40123 1883\r\n".getBytes(StandardCharsets.US_ASCII));
      raw.write(MqttPackets.connect(4).clientId("spoofing").encode());
      assertThat(raw.awaitClosed(Duration.ofSeconds(10))).as("closed by the broker").isTrue();
      assertThat(raw.packetsBeforeClose()).isEmpty();
    }
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      assertThat(raw.connect(MqttPackets.connect(4).clientId("plain")).type()).isEqualTo(MqttPackets.CONNACK);
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("plain from 127.0.0.1:" + raw.localAddress().getPort());
    }
  }

  @Test
  void aProxiedListenerOnLoopbackIsNotLoopbackOnlyForAnonymousAccess() throws Exception {
    Files.write(dir.resolve("passwords"), List.of("alice:" + PasswordHasher.hash("a-pw".toCharArray(), 10_000)));
    // auth.allow-anonymous is loopback-only by default: a listener on 127.0.0.1 lets anonymous clients in, unless a
    // proxy in front of it may be passing on anyone's connection.
    try (SecuredBroker secured = SecuredBroker.start(dir, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.TCP_PROXY_PROTOCOL, true, BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
         RawMqttClient raw = RawMqttClient.open(secured.port("tcp"))) {
      raw.write("PROXY TCP4 198.51.100.7 127.0.0.1 40123 1883\r\n".getBytes(StandardCharsets.US_ASCII));
      RawMqttClient.Packet connack = raw.connect(MqttPackets.connect(4).clientId("anonymous-via-proxy"));
      assertThat(connack.type()).isEqualTo(MqttPackets.CONNACK);
      assertThat(connack.reasonCode()).as("not authorized").isEqualTo(5);
    }
  }

  @Test
  void theLoopbackExemptionFromTheFailedLoginLimitGoesByTheAddressInTheHeader() throws Exception {
    Files.write(dir.resolve("passwords"), List.of("alice:" + PasswordHasher.hash("a-pw".toCharArray(), 10_000)));
    // The proxy connects from 127.0.0.1, which is exempt by default; its clients are not.
    try (SecuredBroker secured = SecuredBroker.start(dir, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.TCP_PROXY_PROTOCOL, true, BrokerSettings.AUTH_PASSWORD_FILE, "passwords")) {
      for (int i = 1; i <= 5; i++) {
        assertThat(connectVia(secured.port("tcp"), "198.51.100.9", "a-typo")).as("typo %d", i).isEqualTo(4);
      }
      assertThat(connectVia(secured.port("tcp"), "198.51.100.9", "a-pw")).as("blocked: not authorized").isEqualTo(5);
      assertThat(connectVia(secured.port("tcp"), "127.0.0.1", "a-pw")).as("a loopback client behind the proxy")
          .isZero();
    }
  }

  /** The CONNACK code of a 3.1.1 CONNECT as alice, through a PROXY v1 header naming {@code source}. */
  private static int connectVia(int port, String source, String password) throws IOException {
    try (RawMqttClient raw = RawMqttClient.open(port)) {
      raw.write(("PROXY TCP4 " + source + " 127.0.0.1 40124 1883\r\n").getBytes(StandardCharsets.US_ASCII));
      return raw.connect(MqttPackets.connect(4).clientId("via-" + System.nanoTime()).username("alice")
          .password(password.getBytes(StandardCharsets.UTF_8))).reasonCode();
    }
  }

  @Test
  void onTheTlsListenerTheHeaderComesBeforeTheHandshake() throws Exception {
    TestPki pki = TestPki.newCa("MeshMQ test CA");
    Path cert = dir.resolve("broker.crt");
    Path key = dir.resolve("broker.key");
    pki.server("localhost").write(cert, key);
    broker = BrokerFixture.start(recordAddress, Authorizer.ALLOW_ALL, BrokerSettings.TLS_ENABLED, true,
        BrokerSettings.TLS_PORT, 0, BrokerSettings.TLS_CERT_FILE, cert.toString(), BrokerSettings.TLS_KEY_FILE,
        key.toString(), BrokerSettings.TLS_PROXY_PROTOCOL, true);
    int port = broker.broker().port("tls");
    // As a TCP-mode proxy passes TLS through: the header in clear, then the client's own handshake.
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    plain.getOutputStream().write(v2Header(new byte[] {(byte) 192, 0, 2, 44}, 61_000));
    SSLSocket tls = (SSLSocket) TestPki.clientContext(pki.caCertificate(), null).getSocketFactory()
        .createSocket(plain, "localhost", port, true);
    tls.startHandshake();
    try (RawMqttClient raw = RawMqttClient.over(tls)) {
      assertThat(raw.connect(MqttPackets.connect(4).clientId("proxied-tls")).type()).isEqualTo(MqttPackets.CONNACK);
    }
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("proxied-tls from 192.0.2.44:61000");
  }

  /** A PROXY v2 header for a TCP/IPv4 client at {@code source}:{@code port} (destination 127.0.0.1:1883). */
  private static byte[] v2Header(byte[] source, int port) {
    return ByteBuffer.allocate(V2_PREFIX.length + 12).put(V2_PREFIX).put(source).put(new byte[] {127, 0, 0, 1})
        .putShort((short) port).putShort((short) 1883).array();
  }
}
