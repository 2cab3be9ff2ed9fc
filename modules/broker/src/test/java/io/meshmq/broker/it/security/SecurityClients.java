package io.meshmq.broker.it.security;

import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** Paho clients for the security tests: connect with or without credentials, return the CONNACK refusal code. */
final class SecurityClients {

  private SecurityClients() {
  }

  static MqttClient v3(String uri, String id, String user, String password) throws MqttException {
    MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setConnectionTimeout(10);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    c.connect(o);
    return c;
  }

  static org.eclipse.paho.mqttv5.client.MqttClient v5(String uri, String id, String user, String password)
      throws org.eclipse.paho.mqttv5.common.MqttException {
    org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(uri, id,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setConnectionTimeout(10);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    c.connect(o);
    return c;
  }

  /** The CONNACK return code of a refused 3.1.1 connection, or 0 if it was accepted (and is closed again). */
  static int v3Code(String uri, String id, String user, String password) {
    try {
      MqttClient c = v3(uri, id, user, password);
      c.disconnect();
      c.close();
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /** The CONNACK reason code of a refused 5.0 connection, or 0 if it was accepted (and is closed again). */
  static int v5Code(String uri, String id, String user, String password) {
    try {
      org.eclipse.paho.mqttv5.client.MqttClient c = v5(uri, id, user, password);
      c.disconnect();
      c.close();
      return 0;
    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
      return e.getReasonCode();
    }
  }
}
