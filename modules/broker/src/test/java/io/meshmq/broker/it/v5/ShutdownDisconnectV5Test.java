package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DISCONNECT an MQTT 5 client gets when the broker stops, as set by shutdown.disconnect-reason. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownDisconnectV5Test {

  @Test
  void byDefaultTheServerIsShuttingDown() throws Exception {
    Mqtt5Disconnect d = disconnectOnStop(BrokerFixture.start());
    assertThat(d.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
    assertThat(d.getServerReference()).isEmpty();
  }

  @Test
  void useAnotherServerCarriesTheConfiguredServerReference() throws Exception {
    Mqtt5Disconnect d = disconnectOnStop(BrokerFixture.start(
        BrokerSettings.SHUTDOWN_DISCONNECT_REASON, "use-another-server",
        BrokerSettings.SHUTDOWN_SERVER_REFERENCE, "mqtt.example.com:1883"));
    assertThat(d.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER);
    assertThat(d.getServerReference()).hasValueSatisfying(ref -> assertThat(ref.toString())
        .isEqualTo("mqtt.example.com:1883"));
  }

  @Test
  void useAnotherServerWithoutAReferenceSendsNone() throws Exception {
    Mqtt5Disconnect d = disconnectOnStop(BrokerFixture.start(
        BrokerSettings.SHUTDOWN_DISCONNECT_REASON, "use-another-server"));
    assertThat(d.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER);
    assertThat(d.getServerReference()).isEmpty();
  }

  /** Connects a HiveMQ MQTT 5 client, stops the broker and returns the DISCONNECT the client received. */
  private static Mqtt5Disconnect disconnectOnStop(BrokerFixture broker) throws Exception {
    try (broker; Hive client = Hive.connect(broker, "told-why")) {
      assertThat(client.isConnected()).isTrue();
      broker.broker().stop().await(10, TimeUnit.SECONDS);
      MqttClientDisconnectedContext ctx = client.disconnects.poll(10, TimeUnit.SECONDS);
      assertThat(ctx).as("the client noticed the disconnection").isNotNull();
      assertThat(ctx.getCause()).as("a DISCONNECT from the server, not a dropped socket")
          .isInstanceOf(Mqtt5DisconnectException.class);
      return ((Mqtt5DisconnectException) ctx.getCause()).getMqttMessage();
    }
  }
}
