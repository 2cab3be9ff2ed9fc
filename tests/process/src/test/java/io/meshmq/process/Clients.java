package io.meshmq.process;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/** Paho options shared by the test clients. */
final class Clients {

  private Clients() {
  }

  /**
   * MQTT 3.1.1; automatic reconnect over {@code uris} in order (Paho tries them all on every attempt), 1 s then at
   * most 2 s between attempts; 5 s to connect; keep-alive 10 s.
   */
  static MqttConnectOptions options(String[] uris, boolean cleanSession, int maxInflight) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setServerURIs(uris);
    o.setCleanSession(cleanSession);
    o.setAutomaticReconnect(true);
    o.setMaxReconnectDelay(2000);
    o.setConnectionTimeout(5);
    o.setKeepAliveInterval(10);
    o.setMaxInflight(maxInflight);
    return o;
  }

  static void closeQuietly(MqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 1000);
      }
    } catch (MqttException e) {
      // best effort
    }
    try {
      c.close(true);
    } catch (MqttException e) {
      // best effort
    }
  }
}
