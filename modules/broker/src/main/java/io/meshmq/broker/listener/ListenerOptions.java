package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.CONNECT_TIMEOUT_SECONDS;
import static io.meshmq.broker.config.BrokerSettings.MAX_PACKET_SIZE;

import io.meshmq.broker.config.Settings;
import io.vertx.mqtt.MqttServerOptions;
import java.util.concurrent.TimeUnit;

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
    if (spec.proxyProtocol()) {
      requireProxyProtocolCodec(spec);
      o.setUseProxyProtocol(true);
      // A connection that sends no header in time is closed, like one that sends no CONNECT (Vert.x's own default
      // is 10 s whatever the connect timeout).
      o.setProxyProtocolTimeout(settings.get(CONNECT_TIMEOUT_SECONDS));
      o.setProxyProtocolTimeoutUnit(TimeUnit.SECONDS);
    }
    return o;
  }

  /**
   * Vert.x serves without the PROXY protocol, with a warning only, when Netty's decoder is missing: every proxied
   * connection would then fail on the header as a malformed MQTT packet. An embedding application that left the
   * codec out learns it at start instead.
   */
  private static void requireProxyProtocolCodec(ListenerSpec spec) {
    try {
      Class.forName("io.netty.handler.codec.haproxy.HAProxyMessageDecoder", false,
          ListenerOptions.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("listeners." + spec.name() + ".proxy-protocol needs io.netty:netty-codec-haproxy "
          + "on the classpath", e);
    }
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
