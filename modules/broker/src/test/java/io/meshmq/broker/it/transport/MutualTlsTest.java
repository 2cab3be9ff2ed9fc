package io.meshmq.broker.it.transport;

import static io.meshmq.broker.it.transport.TransportClients.WAIT_SECONDS;
import static io.meshmq.broker.it.transport.TransportClients.bytes;
import static io.meshmq.broker.it.transport.TransportClients.hive;
import static io.meshmq.broker.it.transport.TransportClients.pahoCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.test.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS with the certificate's CN as the username: the certificate authenticates the client (no password),
 * the ACL applies to its CN whatever username CONNECT claims, and a handshake without a trusted client
 * certificate fails while the broker goes on serving the others.
 */
class MutualTlsTest {

  @TempDir
  Path dir;

  private TestPki pki;
  private SecuredBroker broker;

  @BeforeEach
  void start() throws IOException {
    pki = TestPki.withServerFiles(dir);
    pki.writeCa(dir.resolve("ca.crt"));
    Files.write(dir.resolve("passwords"), List.of("alice:" + PasswordHasher.hash("a-pw".toCharArray(), 10_000)));
    Files.write(dir.resolve("acl"), List.of(
        "allow user sensor-1 publish   sensors/sensor-1/#",
        "allow user *        subscribe sensors/#",
        "allow user alice    both      alice/#"));
    Object[] overrides = {BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.TLS_ENABLED, true, BrokerSettings.TLS_PORT, 0,
        BrokerSettings.TLS_CERT_FILE, dir.resolve("broker.crt").toString(),
        BrokerSettings.TLS_KEY_FILE, dir.resolve("broker.key").toString(),
        BrokerSettings.TLS_CA_FILE, dir.resolve("ca.crt").toString(),
        BrokerSettings.TLS_CLIENT_AUTH, "required", BrokerSettings.TLS_CERT_AS_USERNAME, "cn",
        BrokerSettings.AUTH_PASSWORD_FILE, "passwords", BrokerSettings.AUTH_ACL_FILE, "acl",
        BrokerSettings.AUTH_ALLOW_ANONYMOUS, "false"};
    broker = SecuredBroker.start(dir, overrides);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private Mqtt5BlockingClient withCertificate(String id, TestPki.Issued certificate) {
    return hive(broker.port("tls"), id, b -> b.sslConfig()
        .trustManagerFactory(TestPki.trusting(pki.caCertificate()))
        .keyManagerFactory(certificate == null ? null : certificate.keyManagers())
        .applySslConfig());
  }

  @Test
  void theCertificatesCnIsTheUsernameAndTheAclAppliesToIt() throws Exception {
    Mqtt5BlockingClient sensor = withCertificate("sensor-client", pki.client("sensor-1"));
    BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
    sensor.toAsync().publishes(MqttGlobalPublishFilter.ALL, got::add);
    // No password, and a username it is not: the certificate decides who it is.
    sensor.connectWith().simpleAuth().username("alice").applySimpleAuth().send();
    try {
      sensor.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send();

      Mqtt5PublishResult own = sensor.publishWith().topic("sensors/sensor-1/temp").payload(bytes("21.5"))
          .qos(MqttQos.AT_LEAST_ONCE).send();

      assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) own).getPubAck().getReasonCode())
          .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
      assertThat(refusal(sensor, "sensors/sensor-2/temp")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      assertThat(refusal(sensor, "alice/inbox")).as("the CONNECT username is not used")
          .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      Mqtt5Publish received = got.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(received).isNotNull();
      assertThat(received.getTopic().toString()).isEqualTo("sensors/sensor-1/temp");
    } finally {
      sensor.disconnect();
    }
  }

  @Test
  void theCnGrantsNothingOverPlainTcpWhereNoCertificateVouchesForIt() {
    assertThat(pahoCode(broker.broker.tcpUri(), "claims-sensor-1", null, "sensor-1", "no-password"))
        .as("unknown user in the password file: bad user name or password").isEqualTo(4);
    assertThat(pahoCode(broker.broker.tcpUri(), "alice-1", null, "alice", "a-pw")).as("a password user still gets in").isZero();
  }

  @Test
  void handshakesWithoutATrustedClientCertificateFailAndTheBrokerGoesOn() throws Exception {
    TestPki stranger = TestPki.newCa("Someone else's CA");

    assertThatThrownBy(() -> withCertificate("untrusted", stranger.client("sensor-1")).connect())
        .as("certificate from another CA").isNotNull();
    assertThatThrownBy(() -> withCertificate("no-certificate", null).connect())
        .as("no certificate").isNotNull();

    SSLContext trusted = pki.client("sensor-1").clientContext(pki.caCertificate());
    assertThat(pahoCode("ssl://127.0.0.1:" + broker.port("tls"), "sensor-1-paho", trusted.getSocketFactory(),
        null, null)).as("a trusted certificate over Paho v3").isZero();
  }

  /** The reason code of the PUBACK refusing a QoS 1 publish to {@code topic}. */
  private static Mqtt5PubAckReasonCode refusal(Mqtt5BlockingClient c, String topic) {
    try {
      c.publishWith().topic(topic).payload(bytes("not mine")).qos(MqttQos.AT_LEAST_ONCE).send();
    } catch (Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
    throw new AssertionError("publish to " + topic + " was accepted");
  }
}
