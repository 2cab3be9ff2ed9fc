package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.CONNECT_TIMEOUT_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_PACKET_SIZE;

import io.meshmq.broker.config.Settings;
import io.vertx.mqtt.MqttServerOptions;

/** Builds vertx-mqtt server options from the broker settings. */
public final class ListenerOptions {

  /**
   * vertx-mqtt's decoder refuses long client ids by failing the whole CONNECT, which leaves the client without
   * a CONNACK; the broker checks the configured maximum itself and answers with the proper return code.
   */
  private static final int DECODER_MAX_CLIENT_ID = 65_535;

  private ListenerOptions() {
  }

  /**
   * MQTT's Maximum Packet Size counts the whole packet, Netty's decoder limit only the remaining length: the
   * largest remaining length whose packet (1 header byte + its length field + itself) still fits.
   */
  public static int maxRemainingLength(Settings settings) {
    int max = settings.get(MAX_PACKET_SIZE);
    int remaining = max - 2;
    while (remaining > 0 && 1 + varIntSize(remaining) + remaining > max) {
      remaining--;
    }
    return remaining;
  }

  private static int varIntSize(int value) {
    int size = 1;
    while (value >= 128) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  /** The options of one listener; {@code pem} is the certificate content of a TLS listener, null otherwise. */
  static MqttServerOptions of(Settings settings, ListenerSpec spec, PemFiles pem) {
    MqttServerOptions o = tcp(settings, spec.host(), spec.port());
    if (pem != null) {
      pem.applyTo(o, spec.tls(), settings.get(CONNECT_TIMEOUT_SECONDS));
    }
    return o;
  }

  public static MqttServerOptions tcp(Settings settings, String host, int port) {
    MqttServerOptions o = new MqttServerOptions();
    o.setHost(host);
    o.setPort(port);
    o.setMaxMessageSize(maxRemainingLength(settings));
    o.setMaxClientIdLength(DECODER_MAX_CLIENT_ID);
    o.setTimeoutOnConnect(settings.get(CONNECT_TIMEOUT_SECONDS));
    // Empty client ids are the broker's decision (rules differ per protocol version), not vertx-mqtt's.
    o.setAutoClientId(false);
    o.setTcpNoDelay(true);
    o.setReuseAddress(true);
    // Never set the NetServer idle timeout: vertx-mqtt ignores it and adds a handler with a clashing name.
    return o;
  }
}
