package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.session.Session;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

/** CONNECT / CONNACK for MQTT 3.1.1 (and the client id rule of 3.1). */
class ConnectV3Test extends V3TestSupport {

  private static final int IDENTIFIER_REJECTED = 2;

  @Test
  void connectIsAcceptedAndTheClientCanPublishAndSubscribe() throws Exception {
    startBroker();
    Client c = connect("c1", true);
    assertThat(c.paho.isConnected()).isTrue();
    assertThat(c.sessionPresent()).isFalse();
    assertThat(broker.broker().node().stats().clientsConnected.sum()).isEqualTo(1);
    assertThat(session("c1")).isNotNull();

    c.subscribe("t", 1);
    c.publish("t", "hello", 1, false);
    assertThat(c.received.next()).isEqualTo(new Received("t", "hello", 1, false, false));
  }

  @Test
  void emptyClientIdWithCleanSessionIsAcceptedAndGetsAGeneratedId() throws Exception {
    startBroker();
    Client c = connect("", true);
    assertThat(c.paho.isConnected()).isTrue();
    assertThat(broker.broker().node().sessions().all()).extracting(Session::clientId)
        .singleElement().asString().isNotEmpty();

    c.subscribe("e", 0);
    c.publish("e", "works", 0, false);
    assertThat(c.received.next().payload()).isEqualTo("works");
  }

  @Test
  void emptyClientIdWithPersistentSessionIsRefusedWithIdentifierRejected() throws Exception {
    startBroker();
    assertThatThrownBy(() -> connect("", false))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(IDENTIFIER_REJECTED));
    assertThat(broker.broker().node().sessions().size()).isZero();

    // The broker's own answer on the wire, not a client-side check: CONNACK with return code 2.
    RawClient raw = raw();
    int[] connack = raw.connect("", false, 0, null);
    assertThat(connack[1]).isEqualTo(IDENTIFIER_REJECTED);
    assertThat(connack[0]).as("session present on a refused CONNECT").isZero();
    assertThat(raw.awaitClosed(TimeUnit.SECONDS.toMillis(WAIT_SECONDS))).isTrue();
  }

  @Test
  void clientIdLongerThanTheConfiguredMaximumIsRefused() throws Exception {
    startBroker(BrokerSettings.MAX_CLIENT_ID_LENGTH, 30);
    String tooLong = "x".repeat(31);
    assertThatThrownBy(() -> connect(tooLong, true))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(IDENTIFIER_REJECTED));
    assertThat(session(tooLong)).isNull();

    String longest = "y".repeat(30);
    Client ok = connect(longest, true);
    assertThat(ok.paho.isConnected()).isTrue();
  }

  @Test
  void clientIdLongerThanTheDefaultMaximumOf256IsRefused() throws Exception {
    startBroker();
    String tooLong = "z".repeat(257);
    assertThatThrownBy(() -> connect(tooLong, true))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(IDENTIFIER_REJECTED));
    Client ok = connect("z".repeat(256), true);
    assertThat(ok.paho.isConnected()).isTrue();
  }

  @Test
  void clientIdOf200CharactersIsAccepted() throws Exception {
    startBroker();
    String id = "c".repeat(200);
    Client c = connect(id, true);
    assertThat(c.paho.isConnected()).isTrue();
    assertThat(session(id)).isNotNull();
    c.subscribe("long/id", 2);
    c.publish("long/id", "m", 2, false);
    assertThat(c.received.next()).isEqualTo(new Received("long/id", "m", 2, false, false));
  }

  @Test
  void protocol31WithEmptyClientIdIsRefused() throws Exception {
    startBroker();
    MqttConnectOptions o = options(true);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
    assertThatThrownBy(() -> connect("", o))
        .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(IDENTIFIER_REJECTED));

    RawClient raw = raw();
    raw.sendConnect(3, "", true, 0, null);
    Packet connack = raw.next();
    assertThat(connack.type()).isEqualTo(Packet.CONNACK);
    assertThat(connack.body()[1] & 0xFF).isEqualTo(IDENTIFIER_REJECTED);
  }

  @Test
  void protocol31ClientConnectsAndExchangesMessagesAtEveryQos() throws Exception {
    startBroker();
    MqttConnectOptions o = options(true);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
    Client c = connect("old-client", o);
    assertThat(c.paho.isConnected()).isTrue();
    c.subscribe("v31/#", 2);
    for (int qos = 0; qos <= 2; qos++) {
      c.publish("v31/t", "m" + qos, qos, false);
    }
    assertThat(c.received.next(3)).containsExactly(
        new Received("v31/t", "m0", 0, false, false),
        new Received("v31/t", "m1", 1, false, false),
        new Received("v31/t", "m2", 2, false, false));
  }

  @Test
  void secondConnectionWithTheSameClientIdTakesTheFirstOver() throws Exception {
    startBroker();
    Client first = connect("same", true);
    Client second = connect("same", true);

    assertThat(first.received.lost.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
    assertThat(first.paho.isConnected()).isFalse();
    assertThat(second.paho.isConnected()).isTrue();
    assertThat(second.received.lost).isNotDone();

    second.subscribe("to", 1);
    second.publish("to", "still here", 1, false);
    assertThat(second.received.next().payload()).isEqualTo("still here");
    assertThat(second.received.lost).isNotDone();
    await().atMost(Duration.ofSeconds(WAIT_SECONDS))
        .untilAsserted(() -> assertThat(broker.broker().node().stats().clientsConnected.sum()).isEqualTo(1));
  }

  @Test
  void persistentTakeoverKeepsTheSessionAndReportsItPresent() throws Exception {
    startBroker();
    Client first = connect("same-p", false);
    first.subscribe("p/t", 1);
    Client second = connect("same-p", false);
    assertThat(second.sessionPresent()).isTrue();
    assertThat(first.received.lost.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();

    // The subscription made by the first connection now delivers to the second.
    Client pub = connect("pub", true);
    pub.publish("p/t", "to second", 1, false);
    assertThat(second.received.next().payload()).isEqualTo("to second");
  }

  @Test
  void sessionPresentFlagFollowsTheCleanSessionFlag() throws Exception {
    startBroker();
    Client c = connect("sp", false);
    assertThat(c.sessionPresent()).as("first persistent connect").isFalse();
    c.paho.disconnect();
    awaitOffline("sp");

    c = connect("sp", false);
    assertThat(c.sessionPresent()).as("persistent reconnect").isTrue();
    c.paho.disconnect();
    awaitOffline("sp");

    c = connect("sp", true);
    assertThat(c.sessionPresent()).as("clean session").isFalse();
    c.paho.disconnect();
    awaitNoSession("sp");

    c = connect("sp", false);
    assertThat(c.sessionPresent()).as("persistent connect after a clean session").isFalse();
  }
}
