package io.meshmq.broker.it.security;

import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBLISH;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.meshmq.broker.test.RawMqttClient.Packet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reloaded ACL applies to the subscriptions granted before it: those it no longer allows are removed (online and
 * offline sessions alike), and a resumed session is held to the rules of its new connection's user.
 */
class AclReloadRevocationTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(500);

  @TempDir
  Path dir;

  private Path acl;
  private SecurityProviders security;
  private BrokerFixture broker;

  @BeforeEach
  void start() throws IOException {
    Files.write(dir.resolve("passwords"), List.of(
        "bob:" + PasswordHasher.hash("b-pw".toCharArray(), 10_000),
        "eve:" + PasswordHasher.hash("e-pw".toCharArray(), 10_000)));
    acl = Files.write(dir.resolve("acl"), List.of(
        "allow user bob subscribe news/#",
        "allow all  *   publish   #"));
    Object[] overrides = {BrokerSettings.TCP_HOST, "127.0.0.1", BrokerSettings.AUTH_PASSWORD_FILE, "passwords",
        BrokerSettings.AUTH_ACL_FILE, "acl", BrokerSettings.AUTH_ALLOW_ANONYMOUS, "true"};
    security = SecurityProviders.fromSettings(Settings.of(overrides), dir);
    broker = BrokerFixture.start(security.authenticator(), security.authorizer(), overrides);
  }

  @AfterEach
  void stop() {
    broker.close();
    security.close();
  }

  private RawMqttClient connect(int version, String clientId, String user, String password, boolean clean) throws IOException {
    RawMqttClient c = RawMqttClient.open(broker.port());
    MqttPackets.Connect connect = MqttPackets.connect(version).clientId(clientId).cleanStart(clean);
    if (user != null) {
      connect.username(user).password(password.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(c.connect(connect).reasonCode()).isZero();
    return c;
  }

  private void subscribe(RawMqttClient c, String... filters) throws IOException {
    for (int i = 0; i < filters.length; i++) {
      c.subscribe(i + 1, filters[i], 1);
      assertThat(c.expect(SUBACK).codes()).as(filters[i]).containsExactly(1);
    }
  }

  private void publish(String topic) throws IOException {
    try (RawMqttClient pub = connect(V3_1_1, "publisher-" + System.nanoTime(), null, null, true)) {
      pub.publish(topic, 1, 1, topic);
      pub.expect(PUBACK); // routed: every subscriber's session has it
    }
  }

  private void reload(List<String> rules) throws IOException {
    Files.write(acl, rules);
    security.reloadNow();
  }

  private Session session(String clientId) {
    return broker.broker().node().sessions().get(clientId);
  }

  private long revoked() {
    return broker.broker().node().stats().subscriptionsRevoked.sum();
  }

  @Test
  void aReloadRemovesTheSubscriptionsTheNewRulesDenyAndKeepsTheOthers() throws Exception {
    try (RawMqttClient bob = connect(V5, "bob-1", "bob", "b-pw", true)) {
      subscribe(bob, "news/sport", "news/weather");
      publish("news/sport");
      assertThat(bob.expect(PUBLISH).topic()).isEqualTo("news/sport");

      reload(List.of("allow user bob subscribe news/weather", "allow all * publish #"));
      await().atMost(WAIT).until(() -> revoked() == 1);
      assertThat(session("bob-1").hasSubscription("news/sport")).isFalse();
      assertThat(session("bob-1").hasSubscription("news/weather")).isTrue();

      publish("news/sport");
      publish("news/weather");
      Packet next = bob.readPacket(WAIT);
      assertThat(next.topic()).as("news/sport is no longer delivered").isEqualTo("news/weather");
      assertThat(bob.pollPacket(QUIET)).isNull();
      bob.ping().expect(MqttPackets.PINGRESP); // still connected
      assertThat(broker.broker().node().subscriptions().size()).isEqualTo(1);
    }
  }

  @Test
  void anOfflinePersistentSessionLosesDeniedSubscriptionsToo() throws Exception {
    try (RawMqttClient bob = connect(V3_1_1, "bob-away", "bob", "b-pw", false)) {
      subscribe(bob, "news/sport");
      bob.write(MqttPackets.disconnect(V3_1_1, 0));
      assertThat(bob.awaitClosed(WAIT)).isTrue();
    }
    reload(List.of("allow all * publish #"));
    await().atMost(WAIT).until(() -> revoked() == 1);
    publish("news/sport");
    try (RawMqttClient bob = connect(V3_1_1, "bob-away", "bob", "b-pw", false)) {
      assertThat(bob.pollPacket(QUIET)).as("nothing was queued for the removed subscription").isNull();
      assertThat(session("bob-away").subscriptionCount()).isZero();
    }
  }

  @Test
  void aSessionResumedByAnotherUserKeepsOnlyWhatThatUserMaySubscribeTo() throws Exception {
    try (RawMqttClient bob = connect(V3_1_1, "shared-device", "bob", "b-pw", false)) {
      subscribe(bob, "news/sport");
      bob.write(MqttPackets.disconnect(V3_1_1, 0));
      assertThat(bob.awaitClosed(WAIT)).isTrue();
    }
    try (RawMqttClient eve = connect(V3_1_1, "shared-device", "eve", "e-pw", false)) {
      await().atMost(WAIT).until(() -> revoked() == 1);
      assertThat(session("shared-device").subscriptionCount()).isZero();
      publish("news/sport");
      assertThat(eve.pollPacket(QUIET)).as("eve may not read news/sport").isNull();
    }
  }
}
