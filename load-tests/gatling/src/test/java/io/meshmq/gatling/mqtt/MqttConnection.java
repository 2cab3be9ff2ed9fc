package io.meshmq.gatling.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** One MQTT client (3.1.1 or 5) behind the HiveMQ client's async API; every call returns a future. */
abstract class MqttConnection {

  final String clientId;
  final String broker;

  MqttConnection(String clientId, String broker) {
    this.clientId = clientId;
    this.broker = broker;
  }

  static MqttConnection create(int version, String clientId, String host, int port,
      MqttClientExecutorConfig executor) {
    String broker = host + ":" + port;
    if (version == 5) {
      return new V5(clientId, broker, MqttClient.builder().useMqttVersion5().identifier(clientId)
          .serverHost(host).serverPort(port).executorConfig(executor).buildAsync());
    }
    return new V3(clientId, broker, MqttClient.builder().useMqttVersion3().identifier(clientId)
        .serverHost(host).serverPort(port).executorConfig(executor).buildAsync());
  }

  abstract CompletableFuture<Void> connect(boolean cleanStart, int keepAlive, long sessionExpirySeconds);

  abstract CompletableFuture<Void> subscribe(String filter, int qos, Consumer<Received> callback);

  abstract CompletableFuture<Void> publish(String topic, int qos, boolean retain, byte[] payload,
      String responseTopic, byte[] correlationData);

  abstract CompletableFuture<Void> disconnect();

  abstract boolean isConnected();

  static MqttQos qos(int qos) {
    return MqttQos.fromCode(qos);
  }

  static final class V5 extends MqttConnection {
    final Mqtt5AsyncClient client;

    V5(String clientId, String broker, Mqtt5AsyncClient client) {
      super(clientId, broker);
      this.client = client;
    }

    @Override
    CompletableFuture<Void> connect(boolean cleanStart, int keepAlive, long sessionExpirySeconds) {
      return client.connectWith().cleanStart(cleanStart).keepAlive(keepAlive)
          .sessionExpiryInterval(sessionExpirySeconds).send().thenApply(ack -> null);
    }

    @Override
    CompletableFuture<Void> subscribe(String filter, int qos, Consumer<Received> callback) {
      return client.subscribeWith().topicFilter(filter).qos(qos(qos)).callback(p -> callback.accept(
          new Received(p.getTopic().toString(), p.getPayloadAsBytes(),
              p.getCorrelationData().map(MqttConnection::bytes).orElse(null),
              p.getResponseTopic().map(Object::toString).orElse(null), p.getQos().getCode(), p.isRetain(),
              System.currentTimeMillis())))
          .send().thenApply(ack -> {
            for (Mqtt5SubAckReasonCode code : ack.getReasonCodes()) {
              if (code.isError()) {
                throw new IllegalStateException("SUBACK " + code);
              }
            }
            return null;
          });
    }

    @Override
    CompletableFuture<Void> publish(String topic, int qos, boolean retain, byte[] payload, String responseTopic,
        byte[] correlationData) {
      Mqtt5PublishBuilder.Complete b = Mqtt5Publish.builder().topic(topic).qos(qos(qos)).retain(retain)
          .payload(payload);
      if (responseTopic != null) {
        b.responseTopic(responseTopic);
      }
      if (correlationData != null) {
        b.correlationData(correlationData);
      }
      return client.publish(b.build()).thenApply(result -> {
        if (result.getError().isPresent()) {
          throw new IllegalStateException(result.getError().get().getMessage(), result.getError().get());
        }
        return null;
      });
    }

    @Override
    CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }

    @Override
    boolean isConnected() {
      return client.getState().isConnected();
    }
  }

  static final class V3 extends MqttConnection {
    final Mqtt3AsyncClient client;

    V3(String clientId, String broker, Mqtt3AsyncClient client) {
      super(clientId, broker);
      this.client = client;
    }

    @Override
    CompletableFuture<Void> connect(boolean cleanStart, int keepAlive, long sessionExpirySeconds) {
      return client.connectWith().cleanSession(cleanStart).keepAlive(keepAlive).send().thenApply(ack -> null);
    }

    @Override
    CompletableFuture<Void> subscribe(String filter, int qos, Consumer<Received> callback) {
      return client.subscribeWith().topicFilter(filter).qos(qos(qos)).callback(p -> callback.accept(
          new Received(p.getTopic().toString(), p.getPayloadAsBytes(), null, null, p.getQos().getCode(),
              p.isRetain(), System.currentTimeMillis())))
          .send().thenApply(ack -> {
            for (Mqtt3SubAckReturnCode code : ack.getReturnCodes()) {
              if (code.isError()) {
                throw new IllegalStateException("SUBACK " + code);
              }
            }
            return null;
          });
    }

    @Override
    CompletableFuture<Void> publish(String topic, int qos, boolean retain, byte[] payload, String responseTopic,
        byte[] correlationData) {
      if (responseTopic != null || correlationData != null) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("response topic / correlation data need MQTT 5"));
      }
      return client.publishWith().topic(topic).qos(qos(qos)).retain(retain).payload(payload).send()
          .thenApply(p -> null);
    }

    @Override
    CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }

    @Override
    boolean isConnected() {
      return client.getState().isConnected();
    }
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }
}
