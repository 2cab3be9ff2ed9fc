package io.meshmq.broker.connection;

import io.meshmq.core.message.PublishProperties;
import io.meshmq.core.message.UserProperty;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import java.util.ArrayList;
import java.util.List;

/** Conversions between Netty's MQTT 5 property bag and the broker's message model. */
final class Mqtt5 {

  private Mqtt5() {
  }

  static int intProperty(MqttProperties props, MqttPropertyType type, int absent) {
    if (props == null) {
      return absent;
    }
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null || p.value() == null ? absent : ((Number) p.value()).intValue();
  }

  /** Four-byte integer properties (expiry intervals) are unsigned on the wire. */
  static long unsignedIntProperty(MqttProperties props, MqttPropertyType type, long absent) {
    if (props == null) {
      return absent;
    }
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null || p.value() == null ? absent : Integer.toUnsignedLong(((Number) p.value()).intValue());
  }

  static String stringProperty(MqttProperties props, MqttPropertyType type) {
    if (props == null) {
      return null;
    }
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null ? null : (String) p.value();
  }

  static byte[] binaryProperty(MqttProperties props, MqttPropertyType type) {
    if (props == null) {
      return null;
    }
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null ? null : (byte[]) p.value();
  }

  static boolean has(MqttProperties props, MqttPropertyType type) {
    return props != null && props.getProperty(type.value()) != null;
  }

  /** The properties of an inbound PUBLISH (or will) that pass through to subscribers. */
  @SuppressWarnings("unchecked")
  static PublishProperties publishProperties(MqttProperties props) {
    if (props == null || props.isEmpty()) {
      return PublishProperties.NONE;
    }
    List<UserProperty> users = List.of();
    MqttProperties.MqttProperty<?> up = props.getProperty(MqttPropertyType.USER_PROPERTY.value());
    if (up != null) {
      List<MqttProperties.StringPair> pairs = (List<MqttProperties.StringPair>) up.value();
      users = new ArrayList<>(pairs.size());
      for (MqttProperties.StringPair pair : pairs) {
        users.add(new UserProperty(pair.key, pair.value));
      }
    }
    PublishProperties p = new PublishProperties(
        intProperty(props, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, -1),
        stringProperty(props, MqttPropertyType.CONTENT_TYPE),
        stringProperty(props, MqttPropertyType.RESPONSE_TOPIC),
        binaryProperty(props, MqttPropertyType.CORRELATION_DATA),
        users);
    return p.isEmpty() ? PublishProperties.NONE : p;
  }

  /** Adds the pass-through properties of a message to an outbound property bag. */
  static void addPublishProperties(MqttProperties out, PublishProperties p) {
    if (p.payloadFormatIndicator() >= 0) {
      out.add(new MqttProperties.IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), p.payloadFormatIndicator()));
    }
    if (p.contentType() != null) {
      out.add(new MqttProperties.StringProperty(MqttPropertyType.CONTENT_TYPE.value(), p.contentType()));
    }
    if (p.responseTopic() != null) {
      out.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), p.responseTopic()));
    }
    if (p.correlationData() != null) {
      out.add(new MqttProperties.BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), p.correlationData()));
    }
    if (!p.userProperties().isEmpty()) {
      MqttProperties.UserProperties users = new MqttProperties.UserProperties();
      for (UserProperty u : p.userProperties()) {
        users.add(u.name(), u.value());
      }
      out.add(users);
    }
  }

  static void addInt(MqttProperties out, MqttPropertyType type, int value) {
    out.add(new MqttProperties.IntegerProperty(type.value(), value));
  }

  static void addString(MqttProperties out, MqttPropertyType type, String value) {
    out.add(new MqttProperties.StringProperty(type.value(), value));
  }

  /** Encoded size of a PUBLISH as the client would receive it, to honour its Maximum Packet Size. */
  static int publishPacketSize(String topic, int payloadLength, int qos, int propertiesLength, boolean v5) {
    int variable = 2 + utf8Length(topic) + (qos > 0 ? 2 : 0);
    if (v5) {
      variable += varIntSize(propertiesLength) + propertiesLength;
    }
    int remaining = variable + payloadLength;
    return 1 + varIntSize(remaining) + remaining;
  }

  /** Encoded length of a property bag, as Netty's encoder writes it (each property's identifier and value). */
  @SuppressWarnings("unchecked")
  static int propertiesLength(MqttProperties props) {
    int n = 0;
    for (MqttProperties.MqttProperty<?> p : props.listAll()) {
      Object v = p.value();
      int id = p.propertyId();
      if (p instanceof MqttProperties.UserProperties) {
        for (MqttProperties.StringPair pair : (List<MqttProperties.StringPair>) v) {
          n += 1 + 2 + utf8Length(pair.key) + 2 + utf8Length(pair.value);
        }
      } else if (v instanceof String s) {
        n += 1 + 2 + utf8Length(s);
      } else if (v instanceof byte[] b) {
        n += 1 + 2 + b.length;
      } else if (id == MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()) {
        n += 1 + varIntSize((Integer) v);
      } else {
        n += 1 + integerWidth(id);
      }
    }
    return n;
  }

  /** Width of an integer property's value: one byte, two bytes or four bytes, by property (MQTT 5 2.2.2.2). */
  private static int integerWidth(int id) {
    if (id == MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value() || id == MqttPropertyType.REQUEST_PROBLEM_INFORMATION.value()
        || id == MqttPropertyType.REQUEST_RESPONSE_INFORMATION.value() || id == MqttPropertyType.MAXIMUM_QOS.value()
        || id == MqttPropertyType.RETAIN_AVAILABLE.value() || id == MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value()
        || id == MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE.value()
        || id == MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value()) {
      return 1;
    }
    if (id == MqttPropertyType.SERVER_KEEP_ALIVE.value() || id == MqttPropertyType.RECEIVE_MAXIMUM.value()
        || id == MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value() || id == MqttPropertyType.TOPIC_ALIAS.value()) {
      return 2;
    }
    return 4;
  }

  /** Encoded size of a Topic Alias property. */
  static final int TOPIC_ALIAS_PROPERTY_LENGTH = 3;

  static int varIntSize(int value) {
    int size = 1;
    while (value >= 128) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
