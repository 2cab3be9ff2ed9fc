package io.meshmq.broker.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.broker.test.BrokerFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ACL file with real clients: allow/deny, %u/%c, first match wins, default deny, the refusal codes, reload. */
class AclAuthorizationTest {

  private static final List<String> ACL = List.of(
      "# first match wins; anything not matched is denied",
      "deny   user   alice  both       shared/secret",
      "allow  user   *      both       shared/#",
      "allow  user   *      both       users/%u/#",
      "allow  all    *      both       clients/%c/#",
      "allow  all    *      subscribe  public/#",
      "allow  client ops-1  publish    public/#");

  @TempDir
  Path dir;

  private Path aclFile;
  private SecurityProviders security;
  private BrokerFixture broker;
  private String uri;

  @BeforeEach
  void start() throws IOException {
    Files.write(dir.resolve("passwords"), List.of(
        "alice:" + PasswordHasher.hash("a-pw".toCharArray(), 10_000),
        "bob:" + PasswordHasher.hash("b-pw".toCharArray(), 10_000)));
    aclFile = Files.write(dir.resolve("acl"), ACL);
    Object[] overrides = {BrokerSettings.TCP_HOST, "127.0.0.1", BrokerSettings.AUTH_PASSWORD_FILE, "passwords",
        BrokerSettings.AUTH_ACL_FILE, "acl"};
    security = SecurityProviders.fromSettings(Settings.of(overrides), dir);
    broker = BrokerFixture.start(security.authenticator(), security.authorizer(), overrides);
    uri = broker.tcpUri();
  }

  @AfterEach
  void stop() {
    broker.close();
    security.close();
  }

  @Test
  void subscribeIsGrantedOrRefusedWith0x80PerRuleInV3() throws Exception {
    MqttClient bob = SecurityClients.v3(uri, "bob-1", "bob", "b-pw");
    int[] granted = bob.subscribeWithResponse(
        new String[] {"users/bob/#", "users/alice/#", "users/+/inbox", "public/news", "#", "shared/#", "clients/bob-1/x"},
        new int[] {1, 1, 1, 1, 1, 1, 1}).getGrantedQos();
    assertThat(granted).containsExactly(1, 0x80, 0x80, 1, 0x80, 1, 1);
    bob.disconnect();
    bob.close();
  }

  @Test
  void subscribeIsRefusedWith0x87InV5AndFirstMatchWins() throws Exception {
    org.eclipse.paho.mqttv5.client.MqttClient alice = SecurityClients.v5(uri, "alice-1", "alice", "a-pw");
    IMqttToken t = alice.subscribe(new MqttSubscription[] {
        new MqttSubscription("shared/secret", 1), // denied by the first rule before the "shared/#" allow
        new MqttSubscription("shared/#", 1),      // overlaps the denied topic: granted, narrowed (never delivers it)
        new MqttSubscription("shared/plans", 1),  // allowed by the second rule
        new MqttSubscription("users/alice/#", 2),
        new MqttSubscription("other/x", 0)});     // no rule: default deny
    assertThat(t.getReasonCodes()).containsExactly(0x87, 1, 1, 2, 0x87);
    alice.disconnect();
    alice.close();
    org.eclipse.paho.mqttv5.client.MqttClient bob = SecurityClients.v5(uri, "bob-2", "bob", "b-pw");
    assertThat(bob.subscribe(new MqttSubscription[] {new MqttSubscription("shared/#", 1)}).getReasonCodes())
        .as("the deny rule names alice only").containsExactly(1);
    bob.disconnect();
    bob.close();
  }

  @Test
  void deniedPublishGets0x87InV5AndIsNotDelivered() throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient watcher = SecurityClients.v3(uri, "watcher", "bob", "b-pw");
    watcher.subscribe(new String[] {"users/bob/#", "shared/plans", "shared/secret"}, new int[] {1, 1, 1},
        new IMqttMessageListener[] {(tp, m) -> got.add(tp + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)),
            (tp, m) -> got.add(tp), (tp, m) -> got.add(tp)});
    MqttAsyncClient alice = new MqttAsyncClient(uri, "alice-2", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setUserName("alice");
    o.setPassword("a-pw".getBytes(StandardCharsets.UTF_8));
    alice.connect(o).waitForCompletion(5000);
    assertThat(publishV5(alice, "users/bob/inbox")).as("another user's tree").containsExactly(0x87);
    assertThat(publishV5(alice, "shared/secret")).as("first rule denies alice").containsExactly(0x87);
    assertThat(publishV5(alice, "public/news")).as("only ops-1 publishes there").containsExactly(0x87);
    assertThat(publishV5(alice, "shared/plans")).containsExactly(0);
    assertThat(publishV5(alice, "users/alice/x")).containsExactly(0);
    assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("shared/plans");
    assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
    alice.disconnect().waitForCompletion(5000);
    alice.close();
    watcher.disconnect();
    watcher.close();
  }

  @Test
  void deniedPublishIsDroppedSilentlyInV3AndClientIdRulesApply() throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient watcher = SecurityClients.v3(uri, "watcher", null, null);
    watcher.subscribe(new String[] {"public/#"}, new int[] {1}, new IMqttMessageListener[] {(tp, m) -> got.add(tp)});
    MqttClient other = SecurityClients.v3(uri, "ops-2", null, null);
    other.publish("public/denied", "x".getBytes(StandardCharsets.UTF_8), 1, false); // acknowledged, dropped
    MqttClient ops = SecurityClients.v3(uri, "ops-1", null, null);
    ops.publish("public/allowed", "y".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("public/allowed");
    assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(other.isConnected()).as("3.1.1: the client stays connected").isTrue();
    for (MqttClient c : List.of(watcher, other, ops)) {
      c.disconnect();
      c.close();
    }
  }

  @Test
  void anonymousClientsHaveNoUserRulesButClientIdRules() throws Exception {
    org.eclipse.paho.mqttv5.client.MqttClient anon = SecurityClients.v5(uri, "dev-9", null, null);
    IMqttToken t = anon.subscribe(new MqttSubscription[] {new MqttSubscription("shared/plans", 1),
        new MqttSubscription("clients/dev-9/cmd", 1), new MqttSubscription("clients/dev-8/cmd", 1)});
    assertThat(t.getReasonCodes()).containsExactly(0x87, 1, 0x87);
    anon.disconnect();
    anon.close();
  }

  @Test
  void aRuleAddedWhileRunningAppliesWithoutARestart() throws Exception {
    org.eclipse.paho.mqttv5.client.MqttClient bob = SecurityClients.v5(uri, "bob-3", "bob", "b-pw");
    assertThat(bob.subscribe(new MqttSubscription[] {new MqttSubscription("news/today", 1)}).getReasonCodes())
        .containsExactly(0x87);
    Files.writeString(aclFile, "allow user bob subscribe news/#\n", java.nio.file.StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() ->
        bob.subscribe(new MqttSubscription[] {new MqttSubscription("news/today", 1)}).getReasonCodes()[0] == 1);
    bob.disconnect();
    bob.close();
  }

  @Test
  void aWillToATopicTheClientMayNotPublishToRefusesTheConnection() throws Exception {
    MqttConnectOptions v3 = new MqttConnectOptions();
    v3.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    v3.setWill("users/alice/gone", "x".getBytes(StandardCharsets.UTF_8), 1, false);
    MqttClient bobV3 = new MqttClient(uri, "bob-will-3", new MemoryPersistence());
    v3.setUserName("bob");
    v3.setPassword("b-pw".toCharArray());
    assertThatThrownBy(() -> bobV3.connect(v3))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(5));
    bobV3.close();

    MqttConnectionOptions v5 = new MqttConnectionOptions();
    v5.setUserName("bob");
    v5.setPassword("b-pw".getBytes(StandardCharsets.UTF_8));
    v5.setWill("users/alice/gone", new org.eclipse.paho.mqttv5.common.MqttMessage("x".getBytes(StandardCharsets.UTF_8)));
    org.eclipse.paho.mqttv5.client.MqttClient bobV5 = new org.eclipse.paho.mqttv5.client.MqttClient(uri, "bob-will-5",
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    assertThatThrownBy(() -> bobV5.connect(v5))
        .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
            e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
    bobV5.close();

    v5.setWill("users/bob/gone", new org.eclipse.paho.mqttv5.common.MqttMessage("x".getBytes(StandardCharsets.UTF_8)));
    org.eclipse.paho.mqttv5.client.MqttClient ok = new org.eclipse.paho.mqttv5.client.MqttClient(uri, "bob-will-ok",
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    ok.connect(v5);
    assertThat(ok.isConnected()).isTrue();
    ok.disconnect();
    ok.close();
  }

  private static int[] publishV5(MqttAsyncClient c, String topic) throws Exception {
    IMqttToken t = c.publish(topic, "m".getBytes(StandardCharsets.UTF_8), 1, false);
    t.waitForCompletion(5000);
    return t.getReasonCodes();
  }
}
