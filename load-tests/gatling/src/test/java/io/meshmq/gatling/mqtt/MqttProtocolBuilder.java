package io.meshmq.gatling.mqtt;

import io.gatling.core.protocol.Protocol;
import io.gatling.javaapi.core.ProtocolBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Java DSL for {@link MqttProtocol}: {@code Mqtt.mqtt().brokers("127.0.0.1:1883,127.0.0.1:1884").mqtt5()}. */
public final class MqttProtocolBuilder implements ProtocolBuilder {

  private List<InetSocketAddress> brokers = List.of(new InetSocketAddress("127.0.0.1", 1883));
  private int version = 5;
  private int keepAliveSeconds = 60;
  private Duration timeout = Duration.ofSeconds(10);
  private String clientIdPrefix = "gatling";
  private int nettyThreads = 0;

  MqttProtocolBuilder() {}

  /** Comma-separated {@code host:port} list; virtual users are spread over it round-robin. */
  public MqttProtocolBuilder brokers(String list) {
    List<InetSocketAddress> parsed = new ArrayList<>();
    for (String part : list.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      int colon = s.lastIndexOf(':');
      String host = colon < 0 ? s : s.substring(0, colon);
      int port = colon < 0 ? 1883 : Integer.parseInt(s.substring(colon + 1));
      parsed.add(InetSocketAddress.createUnresolved(host, port));
    }
    this.brokers = parsed;
    return this;
  }

  public MqttProtocolBuilder mqtt5() {
    this.version = 5;
    return this;
  }

  public MqttProtocolBuilder mqtt311() {
    this.version = 3;
    return this;
  }

  /** 3 (MQTT 3.1.1) or 5. */
  public MqttProtocolBuilder version(int version) {
    if (version != 3 && version != 5) {
      throw new IllegalArgumentException("MQTT version 3 (3.1.1) or 5, not " + version);
    }
    this.version = version;
    return this;
  }

  public MqttProtocolBuilder keepAlive(int seconds) {
    this.keepAliveSeconds = seconds;
    return this;
  }

  /** Time limit of every broker call (CONNACK, SUBACK, PUBACK/PUBCOMP, DISCONNECT). */
  public MqttProtocolBuilder timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /** Client ids are {@code prefix-<run>-<userId>}. */
  public MqttProtocolBuilder clientIdPrefix(String prefix) {
    this.clientIdPrefix = prefix;
    return this;
  }

  /** Netty threads shared by all clients of the simulation (0 = the HiveMQ client's default). */
  public MqttProtocolBuilder nettyThreads(int threads) {
    this.nettyThreads = threads;
    return this;
  }

  @Override
  public Protocol protocol() {
    return new MqttProtocol(brokers, version, keepAliveSeconds, timeout, clientIdPrefix, nettyThreads);
  }
}
