package io.meshmq.gatling.mqtt;

import io.gatling.core.CoreComponents;
import io.gatling.core.config.GatlingConfiguration;
import io.gatling.core.protocol.Protocol;
import io.gatling.core.protocol.ProtocolKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import scala.Function1;

/** The MQTT protocol of a simulation: the brokers (assigned round-robin per virtual user), version, timeouts. */
public final class MqttProtocol implements Protocol {

  public static final ProtocolKey<MqttProtocol, MqttComponents> KEY = new ProtocolKey<>() {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<Protocol> protocolClass() {
      return (Class) MqttProtocol.class;
    }

    @Override
    public MqttProtocol defaultProtocolValue(GatlingConfiguration configuration) {
      return new MqttProtocol(List.of(new InetSocketAddress("127.0.0.1", 1883)), 5, 60,
          Duration.ofSeconds(10), "gatling", 0);
    }

    @Override
    public Function1<MqttProtocol, MqttComponents> newComponents(CoreComponents core) {
      return protocol -> new MqttComponents(protocol, core);
    }
  };

  final List<InetSocketAddress> brokers;
  final int version;
  final int keepAliveSeconds;
  final Duration timeout;
  final String clientIdPrefix;
  final int nettyThreads;
  // shared by all scenarios of the simulation (each scenario gets components of its own)
  final AtomicLong nextBroker = new AtomicLong();
  final String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
  final ConcurrentHashMap<String, LongAdder> published = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, LongAdder> received = new ConcurrentHashMap<>();

  MqttProtocol(List<InetSocketAddress> brokers, int version, int keepAliveSeconds, Duration timeout,
      String clientIdPrefix, int nettyThreads) {
    if (brokers.isEmpty()) {
      throw new IllegalArgumentException("no broker address");
    }
    this.brokers = List.copyOf(brokers);
    this.version = version;
    this.keepAliveSeconds = keepAliveSeconds;
    this.timeout = timeout;
    this.clientIdPrefix = clientIdPrefix;
    this.nettyThreads = nettyThreads;
  }

  @Override
  public String toString() {
    return "MqttProtocol" + brokers + " v" + version;
  }
}
