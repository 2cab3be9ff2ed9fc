package io.meshmq.gatling.mqtt;

import io.gatling.commons.validation.Validation;
import io.gatling.core.session.Session;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.internal.Expressions;
import java.time.Duration;
import java.util.function.Function;
import scala.Function1;

/**
 * Java DSL of our MQTT protocol and actions for Gatling. Topics are Gatling EL strings ({@code "cmd/#{device}"},
 * {@code #{mqttClientId}} is the user's client id) or functions of the session.
 *
 * <p>Each builder below is the Java DSL side ({@link ActionBuilder}); its {@code asScala()} returns the engine's
 * Scala action builder as a lambda (one class cannot implement both: their {@code toChainBuilder()} clash).
 */
public final class Mqtt {
  private Mqtt() {}

  public static MqttProtocolBuilder mqtt() {
    return new MqttProtocolBuilder();
  }

  /** CONNECT and wait for CONNACK; follow it with {@code exitHereIfFailed()}. */
  public static ConnectBuilder connect(String requestName) {
    return new ConnectBuilder(requestName);
  }

  public static SubscribeBuilder subscribe(String requestName, String topicFilter) {
    return new SubscribeBuilder(requestName, Expressions.toStringExpression(topicFilter));
  }

  public static SubscribeBuilder subscribe(String requestName,
      Function<io.gatling.javaapi.core.Session, String> topicFilter) {
    return new SubscribeBuilder(requestName, Expressions.javaFunctionToExpression(topicFilter));
  }

  public static PublishBuilder publish(String requestName, String topic) {
    return new PublishBuilder(requestName, Expressions.toStringExpression(topic));
  }

  public static PublishBuilder publish(String requestName, Function<io.gatling.javaapi.core.Session, String> topic) {
    return new PublishBuilder(requestName, Expressions.javaFunctionToExpression(topic));
  }

  /** A check that messages arrive within a timeout; response time from the payload's publish timestamp. */
  public static AwaitBuilder awaitMessage(String requestName) {
    return new AwaitBuilder(requestName);
  }

  public static ActionBuilder disconnect(String requestName) {
    return () -> (ctx, next) -> new MqttActions.Disconnect(requestName, ctx, next);
  }

  /**
   * OK once subscribers counting under {@code key} received at least {@code minRatio} of the messages published
   * (acknowledged) under that key, KO when that is not reached within {@code timeout}. Prints the figures.
   */
  public static ActionBuilder checkDelivered(String requestName, String key, double minRatio, Duration timeout) {
    return () -> (ctx, next) -> new MqttActions.CheckDelivered(requestName, ctx, next, key, minRatio,
        timeout.toMillis());
  }

  public static final class ConnectBuilder implements ActionBuilder {
    private final String requestName;
    private boolean cleanStart = true;
    private long sessionExpirySeconds = 0;

    ConnectBuilder(String requestName) {
      this.requestName = requestName;
    }

    public ConnectBuilder cleanStart(boolean cleanStart) {
      this.cleanStart = cleanStart;
      return this;
    }

    /** MQTT 5 session expiry interval. */
    public ConnectBuilder sessionExpiry(Duration expiry) {
      this.sessionExpirySeconds = expiry.toSeconds();
      return this;
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
      boolean clean = cleanStart;
      long expiry = sessionExpirySeconds;
      return (ctx, next) -> new MqttActions.Connect(requestName, ctx, next, clean, expiry);
    }
  }

  public static final class SubscribeBuilder implements ActionBuilder {
    private final String requestName;
    private final Function1<Session, Validation<String>> filter;
    private int qos = 1;
    private String deliveryRequestName;
    private String countKey;
    private boolean respond;

    SubscribeBuilder(String requestName, Function1<Session, Validation<String>> filter) {
      this.requestName = requestName;
      this.filter = filter;
    }

    public SubscribeBuilder qos(int qos) {
      this.qos = qos;
      return this;
    }

    /**
     * Logs every delivery as a request of its own (response time = receive time - payload timestamp), on the
     * client's thread, instead of keeping it for {@link #awaitMessage}: for subscribers that count a stream.
     */
    public SubscribeBuilder logDeliveries(String requestName) {
      this.deliveryRequestName = requestName;
      return this;
    }

    /** Counts deliveries under a key, for {@link Mqtt#checkDelivered}. */
    public SubscribeBuilder countAs(String key) {
      this.countKey = key;
      return this;
    }

    /** MQTT 5 responder: answers each message carrying a response topic with its payload and correlation data. */
    public SubscribeBuilder respond() {
      this.respond = true;
      return this;
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
      int q = qos;
      String deliveries = deliveryRequestName;
      String key = countKey;
      boolean r = respond;
      return (ctx, next) -> new MqttActions.Subscribe(requestName, ctx, next, filter, q, deliveries, key, r);
    }
  }

  public static final class PublishBuilder implements ActionBuilder {
    private final String requestName;
    private final Function1<Session, Validation<String>> topic;
    private int qos = 1;
    private boolean retain;
    private int payloadSize = 64;
    private Function1<Session, Validation<String>> responseTopic;
    private boolean correlationData;
    private String countKey;

    PublishBuilder(String requestName, Function1<Session, Validation<String>> topic) {
      this.requestName = requestName;
      this.topic = topic;
    }

    public PublishBuilder qos(int qos) {
      if (qos < 0 || qos > 2) {
        throw new IllegalArgumentException("QoS 0, 1 or 2");
      }
      this.qos = qos;
      return this;
    }

    public PublishBuilder retain(boolean retain) {
      this.retain = retain;
      return this;
    }

    /** Payload bytes (at least 12: the publish timestamp); 0 sends an empty payload (clears a retained message). */
    public PublishBuilder payloadSize(int bytes) {
      this.payloadSize = bytes;
      return this;
    }

    /** MQTT 5 response topic (Gatling EL). */
    public PublishBuilder responseTopic(String responseTopic) {
      this.responseTopic = Expressions.toStringExpression(responseTopic);
      return this;
    }

    /** MQTT 5: random 16-byte correlation data, remembered for {@code awaitMessage(...).correlated()}. */
    public PublishBuilder correlationData() {
      this.correlationData = true;
      return this;
    }

    /** Counts acknowledged publishes under a key, for {@link Mqtt#checkDelivered}. */
    public PublishBuilder countAs(String key) {
      this.countKey = key;
      return this;
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
      int q = qos;
      boolean r = retain;
      int size = payloadSize;
      Function1<Session, Validation<String>> rt = responseTopic;
      boolean corr = correlationData;
      String key = countKey;
      return (ctx, next) -> new MqttActions.Publish(requestName, ctx, next, topic, q, r, size, rt, corr, key);
    }
  }

  public static final class AwaitBuilder implements ActionBuilder {
    private final String requestName;
    private int count = 1;
    private Duration timeout = Duration.ofSeconds(10);
    private String topicFilter;
    private boolean correlated;
    private MqttActions.LatencyFrom latencyFrom = MqttActions.LatencyFrom.PAYLOAD_TIMESTAMP;

    AwaitBuilder(String requestName) {
      this.requestName = requestName;
    }

    public AwaitBuilder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Wait for this many messages (one request, ending at the last). */
    public AwaitBuilder count(int count) {
      this.count = count;
      return this;
    }

    /** Only messages whose topic matches this filter count; others met on the way are discarded. */
    public AwaitBuilder topic(String topicFilter) {
      this.topicFilter = topicFilter;
      return this;
    }

    /** Only the message carrying the correlation data of this user's last publish counts (MQTT 5). */
    public AwaitBuilder correlated() {
      this.correlated = true;
      return this;
    }

    /** Response time from this user's last SUBSCRIBE (e.g. retained messages) instead of the payload timestamp. */
    public AwaitBuilder sinceSubscribe() {
      this.latencyFrom = MqttActions.LatencyFrom.SUBSCRIBE;
      return this;
    }

    /** Response time from the start of this await. */
    public AwaitBuilder sinceAwait() {
      this.latencyFrom = MqttActions.LatencyFrom.AWAIT;
      return this;
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
      int c = count;
      long t = timeout.toMillis();
      String f = topicFilter;
      boolean corr = correlated;
      MqttActions.LatencyFrom from = latencyFrom;
      return (ctx, next) -> new MqttActions.Await(requestName, ctx, next, c, t, f, corr, from);
    }
  }
}
