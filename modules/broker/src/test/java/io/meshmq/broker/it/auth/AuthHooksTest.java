package io.meshmq.broker.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authenticator.AuthResult;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The authentication and authorization hooks: refusals get the right codes, and the broker fails closed. */
class AuthHooksTest {

  /** Lets "alice"/"secret" in; "broken" makes the authenticator fail; "silent" makes it never answer. */
  private static final Authenticator PASSWORDS = request -> {
    String user = request.username();
    String password = request.password() == null ? null : new String(request.password(), StandardCharsets.UTF_8);
    if ("broken".equals(user)) {
      return Future.failedFuture(new IllegalStateException("provider down"));
    }
    if ("silent".equals(user)) {
      return Promise.<AuthResult>promise().future();
    }
    if ("alice".equals(user) && "secret".equals(password)) {
      return Future.succeededFuture(AuthResult.ALLOWED);
    }
    return Future.succeededFuture(AuthResult.badCredentials("wrong password for " + user));
  };

  /** Denies everything under secret/; allows the rest. */
  private static final Authorizer NO_SECRETS = new Authorizer() {
    @Override
    public Future<Boolean> canPublish(ClientIdentity client, String topicName) {
      return Future.succeededFuture(!topicName.startsWith("secret/"));
    }

    @Override
    public Future<Boolean> canSubscribe(ClientIdentity client, String topicFilter) {
      return Future.succeededFuture(!topicFilter.startsWith("secret/") && !topicFilter.equals("#"));
    }
  };

  private BrokerFixture broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void hooksGetTheClientAddressAsHostAndPort() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    Authenticator recordAddress = request -> {
      seen.add("connect " + request.clientId() + " from " + request.remoteAddress());
      return Future.succeededFuture(AuthResult.ALLOWED);
    };
    Authorizer recordIdentity = new Authorizer() {
      @Override
      public Future<Boolean> canPublish(ClientIdentity client, String topicName) {
        seen.add("publish " + client.clientId() + " from " + client.remoteAddress());
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Boolean> canSubscribe(ClientIdentity client, String topicFilter) {
        seen.add("subscribe " + client.clientId() + " from " + client.remoteAddress());
        return Future.succeededFuture(true);
      }
    };
    broker = BrokerFixture.start(recordAddress, recordIdentity);
    try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
      String address = "127.0.0.1:" + raw.localAddress().getPort();
      assertThat(raw.connect(MqttPackets.connect(4).clientId("addr-1")).type()).isEqualTo(MqttPackets.CONNACK);
      raw.subscribe(1, "addr/t", 0);
      assertThat(raw.readPacket(RawMqttClient.TIMEOUT).type()).isEqualTo(MqttPackets.SUBACK);
      raw.publish("addr/t", 0, 0, "x");
      assertThat(raw.readPacket(RawMqttClient.TIMEOUT).type()).isEqualTo(MqttPackets.PUBLISH);

      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("connect addr-1 from " + address);
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("subscribe addr-1 from " + address);
      assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("publish addr-1 from " + address);
    }
  }

  @Test
  void wrongPasswordIsRefusedWithBadCredentialsCodeV3() throws Exception {
    broker = BrokerFixture.start(PASSWORDS, Authorizer.ALLOW_ALL);
    assertThatThrownBy(() -> connectV3("c1", "alice", "nope"))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(4));
    MqttClient ok = connectV3("c2", "alice", "secret");
    assertThat(ok.isConnected()).isTrue();
    ok.disconnect();
  }

  @Test
  void wrongPasswordIsRefusedWithBadCredentialsCodeV5() throws Exception {
    broker = BrokerFixture.start(PASSWORDS, Authorizer.ALLOW_ALL);
    assertThatThrownBy(() -> connectV5("c1", "alice", "nope"))
        .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
            e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
  }

  @Test
  void failingAuthenticatorRefusesTheClient() {
    broker = BrokerFixture.start(PASSWORDS, Authorizer.ALLOW_ALL);
    assertThatThrownBy(() -> connectV3("c1", "broken", "x"))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(5));
  }

  @Test
  void authenticatorThatNeverAnswersRefusesAfterTheTimeout() {
    broker = BrokerFixture.start(PASSWORDS, Authorizer.ALLOW_ALL, BrokerSettings.AUTH_TIMEOUT_SECONDS, 1);
    long start = System.nanoTime();
    assertThatThrownBy(() -> connectV5("c1", "silent", "x"))
        .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
            e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(900);
  }

  @Test
  void deniedSubscriptionGets0x80InV3AndOthersAreGranted() throws Exception {
    broker = BrokerFixture.start(Authenticator.ALLOW_ALL, NO_SECRETS);
    MqttClient c = connectV3("sub", null, null);
    int[] granted = c.subscribeWithResponse(new String[] {"public/#", "secret/#"}, new int[] {1, 1}).getGrantedQos();
    assertThat(granted).containsExactly(1, 0x80);
    c.disconnect();
  }

  @Test
  void deniedSubscriptionGets0x87InV5() throws Exception {
    broker = BrokerFixture.start(Authenticator.ALLOW_ALL, NO_SECRETS);
    org.eclipse.paho.mqttv5.client.MqttClient c = connectV5("sub", null, null);
    IMqttToken token = c.subscribe(new MqttSubscription[] {new MqttSubscription("public/#", 2), new MqttSubscription("secret/x", 0)});
    assertThat(token.getReasonCodes()).containsExactly(2, 0x87);
    c.disconnect();
  }

  @Test
  void deniedPublishIsAnsweredWith0x87InV5AndNotDelivered() throws Exception {
    broker = BrokerFixture.start(Authenticator.ALLOW_ALL, NO_SECRETS);
    MqttClient watcher = connectV3("watcher", null, null);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    watcher.subscribe(new String[] {"public/#"}, new int[] {1},
        new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {(t, m) -> got.add(t)});
    org.eclipse.paho.mqttv5.client.MqttAsyncClient pub = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
        broker.tcpUri(), "pub", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    pub.connect(new MqttConnectionOptions()).waitForCompletion(5000);
    IMqttToken denied = pub.publish("secret/plans", "x".getBytes(StandardCharsets.UTF_8), 1, false);
    denied.waitForCompletion(5000);
    assertThat(denied.getReasonCodes()).containsExactly(0x87);
    pub.publish("public/news", "y".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(5000);
    assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("public/news");
    assertThat(broker.broker().node().stats().publishDenied.sum()).isEqualTo(1);
    pub.disconnect().waitForCompletion(5000);
    pub.close();
    watcher.disconnect();
  }

  @Test
  void deniedPublishIsDroppedSilentlyInV3() throws Exception {
    broker = BrokerFixture.start(Authenticator.ALLOW_ALL, NO_SECRETS);
    MqttClient watcher = connectV3("watcher", null, null);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    // The watcher may read everything under "secret" only through a filter the authorizer allows: none, so
    // it subscribes to a sibling that the denied message would not reach anyway, and to "+/plans".
    watcher.subscribe(new String[] {"+/plans"}, new int[] {1},
        new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {(t, m) -> got.add(t)});
    MqttClient pub = connectV3("pub", null, null);
    pub.publish("secret/plans", "x".getBytes(StandardCharsets.UTF_8), 1, false); // acknowledged, dropped
    pub.publish("open/plans", "y".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("open/plans");
    assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(broker.broker().node().stats().publishDenied.sum()).isEqualTo(1);
    pub.disconnect();
    watcher.disconnect();
  }

  private MqttClient connectV3(String id, String user, String password) throws MqttException {
    MqttClient c = new MqttClient(broker.tcpUri(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    c.connect(o);
    return c;
  }

  private org.eclipse.paho.mqttv5.client.MqttClient connectV5(String id, String user, String password)
      throws org.eclipse.paho.mqttv5.common.MqttException {
    org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(broker.tcpUri(), id,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    MqttConnectionOptions o = new MqttConnectionOptions();
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    c.connect(o);
    return c;
  }
}
