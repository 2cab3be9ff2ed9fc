package io.meshmq.gatling.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import io.gatling.commons.validation.Validation;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.structure.ScenarioContext;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import scala.Function1;

/** The MQTT actions; built by the DSL in {@link Mqtt}. */
final class MqttActions {
  private MqttActions() {}

  static final class Connect extends MqttAction {
    private final boolean cleanStart;
    private final long sessionExpirySeconds;

    Connect(String name, ScenarioContext ctx, Action next, boolean cleanStart, long sessionExpirySeconds) {
      super(name, ctx, next);
      this.cleanStart = cleanStart;
      this.sessionExpirySeconds = sessionExpirySeconds;
    }

    @Override
    void run(Session session) {
      long start = mqtt.now();
      MqttUser previous = MqttComponents.user(session);
      if (previous != null && previous.connection != null && previous.connection.isConnected()) {
        fail(session, requestName, start, start, "already connected");
        return;
      }
      // a virtual user keeps its broker across reconnects, like a sticky TCP load balancer
      InetSocketAddress broker = previous != null ? previous.brokerAddress : mqtt.nextBroker();
      String clientId = previous != null ? previous.clientId : mqtt.clientId(session);
      MqttUser user = new MqttUser(clientId, broker);
      MqttConnection connection = MqttConnection.create(mqtt.protocol.version, clientId, broker.getHostString(),
          broker.getPort(), mqtt.executor);
      user.connection = connection;
      Session withUser = session.set(MqttComponents.USER_KEY, user).set(MqttComponents.CLIENT_ID_KEY, clientId);
      bounded(connection.connect(cleanStart, mqtt.protocol.keepAliveSeconds, sessionExpirySeconds))
          .whenComplete((ok, error) -> {
            long end = mqtt.now();
            if (error == null) {
              log(withUser, requestName, start, end, true, null);
              next.$bang(withUser);
            } else {
              user.connection = null;
              // a CONNACK may still come after the timeout: drop that connection too, a timeout later
              connection.disconnect();
              java.util.concurrent.CompletableFuture.delayedExecutor(mqtt.protocol.timeout.toMillis(),
                  TimeUnit.MILLISECONDS).execute(() -> {
                    if (connection.isConnected()) {
                      connection.disconnect();
                    }
                  });
              fail(withUser, requestName, start, end, describe(error) + " (" + user.broker + ")");
            }
          });
    }
  }

  static final class Subscribe extends MqttAction {
    private final Function1<Session, Validation<String>> filter;
    private final int qos;
    private final String deliveryRequestName;
    private final String countKey;
    private final boolean respond;

    Subscribe(String name, ScenarioContext ctx, Action next, Function1<Session, Validation<String>> filter, int qos,
        String deliveryRequestName, String countKey, boolean respond) {
      super(name, ctx, next);
      this.filter = filter;
      this.qos = qos;
      this.deliveryRequestName = deliveryRequestName;
      this.countKey = countKey;
      this.respond = respond;
    }

    @Override
    void run(Session session) {
      long start = mqtt.now();
      MqttUser user = connectedUser(session, start);
      if (user == null) {
        return;
      }
      String topicFilter = eval(filter, session);
      MqttConnection connection = user.connection;
      user.lastSubscribeStart = start;
      bounded(connection.subscribe(topicFilter, qos, message -> onMessage(session, user, connection, message)))
          .whenComplete((ok, error) -> {
            long end = mqtt.now();
            if (error == null) {
              log(session, requestName, start, end, true, null);
              next.$bang(session);
            } else {
              fail(session, requestName, start, end, describe(error));
            }
          });
    }

    /** Runs on the client's thread: counts, answers requests, logs the delivery or hands it to the inbox. */
    private void onMessage(Session session, MqttUser user, MqttConnection connection, Received message) {
      if (countKey != null) {
        mqtt.received(countKey).increment();
      }
      if (respond && message.responseTopic() != null) {
        long start = mqtt.now();
        bounded(connection.publish(message.responseTopic(), Math.min(message.qos(), 1), false, message.payload(),
            null, message.correlationData())).whenComplete((ok, error) -> {
              if (error != null) {
                log(session, "respond", start, mqtt.now(), false, describe(error));
              }
            });
      }
      if (deliveryRequestName != null) {
        long sent = message.sentAtMillis();
        long end = message.receivedAtMillis();
        log(session, deliveryRequestName, sent > 0 ? Math.min(sent, end) : end, end, true, null);
      } else if (!respond) {
        user.deliver(message);
      }
    }
  }

  static final class Publish extends MqttAction {
    private final Function1<Session, Validation<String>> topic;
    private final int qos;
    private final boolean retain;
    private final int payloadSize;
    private final Function1<Session, Validation<String>> responseTopic;
    private final boolean correlationData;
    private final String countKey;

    Publish(String name, ScenarioContext ctx, Action next, Function1<Session, Validation<String>> topic, int qos,
        boolean retain, int payloadSize, Function1<Session, Validation<String>> responseTopic,
        boolean correlationData, String countKey) {
      super(name, ctx, next);
      this.topic = topic;
      this.qos = qos;
      this.retain = retain;
      this.payloadSize = payloadSize;
      this.responseTopic = responseTopic;
      this.correlationData = correlationData;
      this.countKey = countKey;
    }

    @Override
    void run(Session session) {
      long start = mqtt.now();
      MqttUser user = connectedUser(session, start);
      if (user == null) {
        return;
      }
      String t = eval(topic, session);
      String rt = responseTopic == null ? null : eval(responseTopic, session);
      byte[] correlation = null;
      if (correlationData) {
        correlation = new byte[16];
        ThreadLocalRandom.current().nextBytes(correlation);
      }
      user.lastCorrelationData = correlation;
      byte[] payload = payloadSize == 0 ? new byte[0] : Payloads.timestamped(payloadSize, start);
      bounded(user.connection.publish(t, qos, retain, payload, rt, correlation))
          .whenComplete((ok, error) -> {
            long end = mqtt.now();
            if (error == null) {
              if (countKey != null) {
                mqtt.published(countKey).increment();
              }
              log(session, requestName, start, end, true, null);
              next.$bang(session);
            } else {
              fail(session, requestName, start, end, describe(error));
            }
          });
    }
  }

  /** Where an awaited message's response time starts. */
  enum LatencyFrom { PAYLOAD_TIMESTAMP, SUBSCRIBE, AWAIT }

  static final class Await extends MqttAction {
    private final int count;
    private final long timeoutMillis;
    private final MqttTopicFilter topicFilter;
    private final boolean correlated;
    private final LatencyFrom latencyFrom;

    Await(String name, ScenarioContext ctx, Action next, int count, long timeoutMillis, String topicFilter,
        boolean correlated, LatencyFrom latencyFrom) {
      super(name, ctx, next);
      this.count = count;
      this.timeoutMillis = timeoutMillis;
      this.topicFilter = topicFilter == null ? null : MqttTopicFilter.of(topicFilter);
      this.correlated = correlated;
      this.latencyFrom = latencyFrom;
    }

    @Override
    void run(Session session) {
      long start = mqtt.now();
      MqttUser user = MqttComponents.user(session);
      if (user == null) {
        fail(session, requestName, start, start, "not connected");
        return;
      }
      byte[] expectedCorrelation = correlated ? user.lastCorrelationData : null;
      Predicate<Received> predicate = m -> (topicFilter == null || topicFilter.matches(MqttTopic.of(m.topic())))
          && (!correlated || Arrays.equals(expectedCorrelation, m.correlationData()));
      AtomicReference<io.netty.util.concurrent.ScheduledFuture<?>> timer = new AtomicReference<>();
      MqttUser.Waiter waiter = new MqttUser.Waiter(predicate, count, w -> {
        io.netty.util.concurrent.ScheduledFuture<?> t = timer.get();
        if (t != null) {
          t.cancel(false);
        }
        long end = w.last.receivedAtMillis();
        long from = switch (latencyFrom) {
          case PAYLOAD_TIMESTAMP -> w.last.sentAtMillis() > 0 ? w.last.sentAtMillis() : start;
          case SUBSCRIBE -> user.lastSubscribeStart;
          case AWAIT -> start;
        };
        log(session, requestName, Math.min(from, end), end, true, null);
        next.$bang(session);
      });
      timer.set(session.eventLoop().schedule(() -> {
        if (user.cancel(waiter)) {
          fail(session, requestName, start, mqtt.now(),
              "timeout after " + timeoutMillis + " ms: " + waiter.matched + " of " + count + " messages");
        }
      }, timeoutMillis, TimeUnit.MILLISECONDS));
      user.await(waiter);
    }
  }

  static final class Disconnect extends MqttAction {
    Disconnect(String name, ScenarioContext ctx, Action next) {
      super(name, ctx, next);
    }

    @Override
    void run(Session session) {
      long start = mqtt.now();
      MqttUser user = MqttComponents.user(session);
      if (user == null || user.connection == null) {
        fail(session, requestName, start, start, "not connected");
        return;
      }
      MqttConnection connection = user.connection;
      user.connection = null;
      bounded(connection.disconnect()).whenComplete((ok, error) -> {
        long end = mqtt.now();
        if (error == null) {
          log(session, requestName, start, end, true, null);
          next.$bang(session);
        } else {
          fail(session, requestName, start, end, describe(error));
        }
      });
    }
  }

  /** Waits until the subscribers received at least {@code minRatio} of what was published under a key. */
  static final class CheckDelivered extends MqttAction {
    private final String key;
    private final double minRatio;
    private final long timeoutMillis;

    CheckDelivered(String name, ScenarioContext ctx, Action next, String key, double minRatio, long timeoutMillis) {
      super(name, ctx, next);
      this.key = key;
      this.minRatio = minRatio;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    void run(Session session) {
      poll(session, mqtt.now());
    }

    private void poll(Session session, long start) {
      long published = mqtt.published(key).sum();
      long received = mqtt.received(key).sum();
      long now = mqtt.now();
      boolean enough = published > 0 && received >= Math.ceil(published * minRatio);
      if (enough || now - start >= timeoutMillis) {
        String figures = key + ": received " + received + " of " + published + " published"
            + (published > 0 ? String.format(" (%.4f)", (double) received / published) : "");
        System.out.println("[meshmq-gatling] " + figures);
        if (enough) {
          log(session, requestName, start, now, true, null);
          next.$bang(session);
        } else {
          fail(session, requestName, start, now, figures + ", expected ratio >= " + minRatio);
        }
        return;
      }
      session.eventLoop().schedule(() -> poll(session, start), 100, TimeUnit.MILLISECONDS);
    }
  }
}
