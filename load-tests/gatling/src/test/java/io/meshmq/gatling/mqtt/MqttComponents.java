package io.meshmq.gatling.mqtt;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import io.gatling.core.CoreComponents;
import io.gatling.core.protocol.ProtocolComponents;
import io.gatling.core.session.Session;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import scala.Function1;
import scala.runtime.BoxedUnit;

/**
 * What the virtual users of a scenario share: the protocol, one HiveMQ executor configuration (so all clients
 * share one Netty thread group), the round-robin broker counter and the delivery counters.
 */
public final class MqttComponents implements ProtocolComponents {

  static final String USER_KEY = "meshmq.mqtt.user";
  /** Session attribute holding the user's client id, usable in topic templates as {@code #{mqttClientId}}. */
  public static final String CLIENT_ID_KEY = "mqttClientId";

  final MqttProtocol protocol;
  final CoreComponents core;
  final MqttClientExecutorConfig executor;
  // Gatling creates the components once per scenario; what all scenarios share lives in the protocol object
  private final AtomicLong nextBroker;
  private final String runId;
  private final ConcurrentHashMap<String, LongAdder> published;
  private final ConcurrentHashMap<String, LongAdder> received;

  MqttComponents(MqttProtocol protocol, CoreComponents core) {
    this.protocol = protocol;
    this.core = core;
    this.nextBroker = protocol.nextBroker;
    this.runId = protocol.runId;
    this.published = protocol.published;
    this.received = protocol.received;
    com.hivemq.client.mqtt.MqttClientExecutorConfigBuilder b = MqttClientExecutorConfig.builder();
    if (protocol.nettyThreads > 0) {
      b.nettyThreads(protocol.nettyThreads);
    }
    this.executor = b.build();
  }

  long now() {
    return core.clock().nowMillis();
  }

  /** Round-robin like a TCP load balancer: the n-th virtual user to connect gets broker n mod size. */
  InetSocketAddress nextBroker() {
    return protocol.brokers.get((int) (nextBroker.getAndIncrement() % protocol.brokers.size()));
  }

  String clientId(Session session) {
    return protocol.clientIdPrefix + "-" + runId + "-" + session.scenario().replaceAll("[^A-Za-z0-9]", "")
        + "-" + session.userId();
  }

  LongAdder published(String key) {
    return published.computeIfAbsent(key, k -> new LongAdder());
  }

  LongAdder received(String key) {
    return received.computeIfAbsent(key, k -> new LongAdder());
  }

  static MqttUser user(Session session) {
    scala.Option<Object> v = session.attributes().get(USER_KEY);
    return v.isDefined() ? (MqttUser) v.get() : null;
  }

  @Override
  public Function1<Session, Session> onStart() {
    return session -> session;
  }

  /** A user that ends while still connected is disconnected (in the background). */
  @Override
  public Function1<Session, BoxedUnit> onExit() {
    return session -> {
      MqttUser user = user(session);
      if (user != null && user.connection != null) {
        user.connection.disconnect().orTimeout(protocol.timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      return BoxedUnit.UNIT;
    };
  }
}
