package io.meshmq.broker.it.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** MQTT 5 PUBLISH properties the broker passes through to subscribers unchanged. */
class PropertiesV5Test {

  private static final Mqtt5UserProperties USER_PROPERTIES = Mqtt5UserProperties.builder()
      .add("k", "1")
      .add("a", "x")
      .add("k", "2")
      .add("k", "1")
      .add("ü-name", "wert ✓")
      .add("empty", "")
      .build();

  private static final byte[] CORRELATION = {0, 1, (byte) 0xFF, 0x7F, (byte) 0x80, 0};

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void allPassThroughPropertiesArriveUnchanged(int qos) throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "props-sub");
         Hive pub = Hive.connect(broker, "props-pub")) {
      sub.subscribe("props/t", 2);

      pub.client.publishWith().topic("props/t").qos(Hive.qos(qos)).payload(Hive.bytes("{\"v\":1}"))
          .userProperties(USER_PROPERTIES)
          .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
          .contentType("application/json; charset=utf-8")
          .responseTopic("props/reply/42")
          .correlationData(CORRELATION)
          .send();

      Mqtt5Publish got = sub.next();
      assertThat(got.getTopic()).isEqualTo(MqttTopic.of("props/t"));
      assertThat(Hive.text(got)).isEqualTo("{\"v\":1}");
      assertThat(got.getQos().getCode()).isEqualTo(qos);
      assertThat(pairs(got.getUserProperties())).containsExactly(
          "k=1", "a=x", "k=2", "k=1", "ü-name=wert ✓", "empty=");
      assertThat(got.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
      assertThat(got.getContentType()).hasValue(MqttUtf8String.of("application/json; charset=utf-8"));
      assertThat(got.getResponseTopic()).hasValue(MqttTopic.of("props/reply/42"));
      assertThat(got.getCorrelationData()).isPresent();
      assertThat(bytes(got.getCorrelationData().get())).containsExactly(CORRELATION);
    }
  }

  @Test
  void unspecifiedPayloadFormatAndNoPropertiesStayAbsent() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive sub = Hive.connect(broker, "noprops-sub");
         Hive pub = Hive.connect(broker, "noprops-pub")) {
      sub.subscribe("noprops/t", 1);

      pub.publish("noprops/t", "plain", 1);
      pub.client.publishWith().topic("noprops/t").qos(Hive.qos(1)).payload(Hive.bytes("binary"))
          .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UNSPECIFIED).send();

      Mqtt5Publish plain = sub.next();
      assertThat(Hive.text(plain)).isEqualTo("plain");
      assertThat(plain.getUserProperties().asList()).isEmpty();
      assertThat(plain.getPayloadFormatIndicator()).isEmpty();
      assertThat(plain.getContentType()).isEmpty();
      assertThat(plain.getResponseTopic()).isEmpty();
      assertThat(plain.getCorrelationData()).isEmpty();
      assertThat(plain.getMessageExpiryInterval()).isEmpty();

      Mqtt5Publish binary = sub.next();
      assertThat(Hive.text(binary)).isEqualTo("binary");
      // 0 (unspecified) is what absence means too; it must not turn into UTF-8.
      assertThat(binary.getPayloadFormatIndicator().orElse(Mqtt5PayloadFormatIndicator.UNSPECIFIED))
          .isEqualTo(Mqtt5PayloadFormatIndicator.UNSPECIFIED);
    }
  }

  @Test
  void retainedMessageKeepsItsProperties() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive pub = Hive.connect(broker, "rprops-pub");
         Hive sub = Hive.connect(broker, "rprops-sub")) {
      pub.client.publishWith().topic("rprops/t").qos(Hive.qos(1)).retain(true).payload(Hive.bytes("state"))
          .userProperties(USER_PROPERTIES)
          .contentType("text/plain")
          .responseTopic("rprops/reply")
          .correlationData(CORRELATION)
          .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
          .send();

      sub.subscribe("rprops/#", 1);

      Mqtt5Publish got = sub.next();
      assertThat(got.isRetain()).isTrue();
      assertThat(Hive.text(got)).isEqualTo("state");
      assertThat(pairs(got.getUserProperties())).containsExactly(
          "k=1", "a=x", "k=2", "k=1", "ü-name=wert ✓", "empty=");
      assertThat(got.getContentType()).hasValue(MqttUtf8String.of("text/plain"));
      assertThat(got.getResponseTopic()).hasValue(MqttTopic.of("rprops/reply"));
      assertThat(bytes(got.getCorrelationData().orElseThrow())).containsExactly(CORRELATION);
      assertThat(got.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
    }
  }

  @Test
  void requestResponseWithResponseTopicAndCorrelationData() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start();
         Hive responder = Hive.connect(broker, "service");
         Hive requester = Hive.connect(broker, "requester")) {
      responder.subscribe("svc/add", 1);
      requester.subscribe("svc/replies/requester", 1);

      // Three requests in flight before any answer, each with its own correlation data.
      for (int i = 1; i <= 3; i++) {
        requester.client.publishWith().topic("svc/add").qos(Hive.qos(1)).payload(Hive.bytes(i + "+" + i))
            .responseTopic("svc/replies/requester")
            .correlationData(Hive.bytes("req-" + i))
            .send();
      }

      // The responder answers each request on the topic and with the correlation data the request carried.
      for (int i = 0; i < 3; i++) {
        Mqtt5Publish request = responder.next();
        String[] operands = Hive.text(request).split("\\+");
        int sum = Integer.parseInt(operands[0]) + Integer.parseInt(operands[1]);
        responder.client.publishWith()
            .topic(request.getResponseTopic().orElseThrow())
            .correlationData(request.getCorrelationData().orElseThrow())
            .qos(Hive.qos(1))
            .payload(Hive.bytes(Integer.toString(sum)))
            .send();
      }

      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Mqtt5Publish reply = requester.next();
        answers.add(new String(bytes(reply.getCorrelationData().orElseThrow())) + "=" + Hive.text(reply));
      }
      assertThat(answers).containsExactly("req-1=2", "req-2=4", "req-3=6");
    }
  }

  private static List<String> pairs(Mqtt5UserProperties props) {
    List<String> out = new ArrayList<>();
    for (Mqtt5UserProperty p : props.asList()) {
      out.add(p.getName() + "=" + p.getValue());
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
