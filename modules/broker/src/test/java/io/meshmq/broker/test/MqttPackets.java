package io.meshmq.broker.test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte-exact encoder of MQTT control packets (3.1, 3.1.1 and 5.0) for raw protocol tests. Nothing is validated,
 * so broken packets are as easy to build as good ones; {@link #packet(int, int, byte[])} frames any body.
 * Property blocks are given as their content (without the length prefix), see {@link Props}.
 */
public final class MqttPackets {

  public static final int V3_1 = 3;
  public static final int V3_1_1 = 4;
  public static final int V5 = 5;

  public static final int CONNECT = 1;
  public static final int CONNACK = 2;
  public static final int PUBLISH = 3;
  public static final int PUBACK = 4;
  public static final int PUBREC = 5;
  public static final int PUBREL = 6;
  public static final int PUBCOMP = 7;
  public static final int SUBSCRIBE = 8;
  public static final int SUBACK = 9;
  public static final int UNSUBSCRIBE = 10;
  public static final int UNSUBACK = 11;
  public static final int PINGREQ = 12;
  public static final int PINGRESP = 13;
  public static final int DISCONNECT = 14;
  public static final int AUTH = 15;

  private MqttPackets() {
  }

  // ---------------------------------------------------------------- framing and primitives

  /** Fixed header ({@code type << 4 | flags}, remaining length) followed by the body. */
  public static byte[] packet(int type, int flags, byte[] body) {
    return concat(new byte[] {(byte) (type << 4 | flags & 0x0F)}, varInt(body.length), body);
  }

  /** Variable byte integer (remaining length, property lengths, subscription identifiers). */
  public static byte[] varInt(int value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4);
    do {
      int digit = value & 0x7F;
      value >>>= 7;
      out.write(value > 0 ? digit | 0x80 : digit);
    } while (value > 0);
    return out.toByteArray();
  }

  /** A UTF-8 encoded string: two-byte length and the bytes. */
  public static byte[] utf8(String s) {
    return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Two-byte length and the given bytes as they are (binary data, or deliberately invalid UTF-8). */
  public static byte[] lengthPrefixed(byte[] raw) {
    return concat(u16(raw.length), raw);
  }

  public static byte[] u16(int value) {
    return new byte[] {(byte) (value >> 8), (byte) value};
  }

  public static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** MQTT 5 property block: length then content; {@code null} content is an empty block. */
  static byte[] properties(byte[] content) {
    byte[] c = content == null ? new byte[0] : content;
    return concat(varInt(c.length), c);
  }

  // ---------------------------------------------------------------- packets

  public static Connect connect(int protocolLevel) {
    return new Connect(protocolLevel);
  }

  public static byte[] publish(int version, String topic, int qos, int packetId, byte[] payload) {
    return publish(version, topic.getBytes(StandardCharsets.UTF_8), qos, false, false, packetId, null, payload);
  }

  /** PUBLISH with the topic as raw bytes (may be invalid UTF-8); {@code packetId} is written only for QoS > 0. */
  public static byte[] publish(int version, byte[] topic, int qos, boolean retain, boolean dup, int packetId,
                               byte[] properties, byte[] payload) {
    byte[] body = concat(lengthPrefixed(topic), qos > 0 ? u16(packetId) : new byte[0],
        version >= V5 ? properties(properties) : new byte[0], payload);
    return packet(PUBLISH, (dup ? 8 : 0) | qos << 1 | (retain ? 1 : 0), body);
  }

  /** PUBACK, PUBREC, PUBREL or PUBCOMP with success (the short form, valid in every version). */
  public static byte[] ack(int type, int packetId) {
    return packet(type, type == PUBREL ? 2 : 0, u16(packetId));
  }

  /** MQTT 5 PUBACK, PUBREC, PUBREL or PUBCOMP with a reason code and properties. */
  public static byte[] ack(int type, int packetId, int reasonCode, byte[] properties) {
    return packet(type, type == PUBREL ? 2 : 0, concat(u16(packetId), bytes(reasonCode), properties(properties)));
  }

  /** One topic filter of a SUBSCRIBE with its options byte (QoS in bits 0-1; MQTT 5 adds NL, RAP, RH). */
  public record Filter(String filter, int options) {
  }

  public static Filter filter(String filter, int options) {
    return new Filter(filter, options);
  }

  public static byte[] subscribe(int version, int packetId, String filter, int qos) {
    return subscribe(version, packetId, 0, filter(filter, qos));
  }

  /** SUBSCRIBE; {@code subscriptionId} 0 means none (MQTT 5 only). */
  public static byte[] subscribe(int version, int packetId, int subscriptionId, Filter... filters) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(u16(packetId));
    if (version >= V5) {
      body.writeBytes(properties(subscriptionId > 0 ? new Props().varInt(0x0B, subscriptionId).bytes() : null));
    }
    for (Filter f : filters) {
      body.writeBytes(utf8(f.filter()));
      body.write(f.options());
    }
    return packet(SUBSCRIBE, 2, body.toByteArray());
  }

  public static byte[] unsubscribe(int version, int packetId, String... filters) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(u16(packetId));
    if (version >= V5) {
      body.writeBytes(properties(null));
    }
    for (String f : filters) {
      body.writeBytes(utf8(f));
    }
    return packet(UNSUBSCRIBE, 2, body.toByteArray());
  }

  public static byte[] pingreq() {
    return packet(PINGREQ, 0, new byte[0]);
  }

  /** DISCONNECT: empty for 3.x, with the reason code (and no properties) for 5.0. */
  public static byte[] disconnect(int version, int reasonCode) {
    return packet(DISCONNECT, 0, version >= V5 ? bytes(reasonCode, 0) : new byte[0]);
  }

  // ---------------------------------------------------------------- builders

  /** CONNECT builder; defaults: empty client id, clean start, keep-alive 60 s, no will, no credentials. */
  public static final class Connect {
    private final int level;
    private String protocolName;
    private String clientId = "";
    private boolean cleanStart = true;
    private int keepAlive = 60;
    private String willTopic;
    private byte[] willPayload;
    private int willQos;
    private boolean willRetain;
    private byte[] willProperties;
    private String username;
    private byte[] password;
    private byte[] properties;
    private Integer flags;

    private Connect(int level) {
      this.level = level;
      this.protocolName = level == V3_1 ? "MQIsdp" : "MQTT";
    }

    public int level() {
      return level;
    }

    public Connect protocolName(String name) {
      this.protocolName = name;
      return this;
    }

    public Connect clientId(String id) {
      this.clientId = id;
      return this;
    }

    public Connect cleanStart(boolean clean) {
      this.cleanStart = clean;
      return this;
    }

    public Connect keepAlive(int seconds) {
      this.keepAlive = seconds;
      return this;
    }

    public Connect will(String topic, byte[] payload, int qos, boolean retain) {
      this.willTopic = topic;
      this.willPayload = payload;
      this.willQos = qos;
      this.willRetain = retain;
      return this;
    }

    /** MQTT 5 will properties (content, see {@link Props}). */
    public Connect willProperties(byte[] content) {
      this.willProperties = content;
      return this;
    }

    public Connect username(String name) {
      this.username = name;
      return this;
    }

    public Connect password(byte[] pw) {
      this.password = pw;
      return this;
    }

    /** MQTT 5 CONNECT properties (content, see {@link Props}). */
    public Connect properties(byte[] content) {
      this.properties = content;
      return this;
    }

    /** Overrides the connect flags byte (which then need not match the fields present in the payload). */
    public Connect flags(int connectFlags) {
      this.flags = connectFlags;
      return this;
    }

    public byte[] encode() {
      boolean v5 = level >= V5;
      int f = (username != null ? 0x80 : 0) | (password != null ? 0x40 : 0) | (willRetain ? 0x20 : 0)
          | willQos << 3 | (willTopic != null ? 0x04 : 0) | (cleanStart ? 0x02 : 0);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(utf8(protocolName));
      body.write(level);
      body.write(flags != null ? flags : f);
      body.writeBytes(u16(keepAlive));
      if (v5) {
        body.writeBytes(MqttPackets.properties(properties));
      }
      body.writeBytes(utf8(clientId));
      if (willTopic != null) {
        if (v5) {
          body.writeBytes(MqttPackets.properties(willProperties));
        }
        body.writeBytes(utf8(willTopic));
        body.writeBytes(lengthPrefixed(willPayload));
      }
      if (username != null) {
        body.writeBytes(utf8(username));
      }
      if (password != null) {
        body.writeBytes(lengthPrefixed(password));
      }
      return packet(CONNECT, 0, body.toByteArray());
    }
  }

  /** MQTT 5 property block content, written in the order the calls are made. */
  public static final class Props {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Props byteProperty(int id, int value) {
      out.write(id);
      out.write(value);
      return this;
    }

    public Props twoByte(int id, int value) {
      out.write(id);
      out.writeBytes(u16(value));
      return this;
    }

    public Props fourByte(int id, long value) {
      out.write(id);
      out.writeBytes(MqttPackets.bytes((int) (value >> 24), (int) (value >> 16), (int) (value >> 8), (int) value));
      return this;
    }

    public Props varInt(int id, int value) {
      out.write(id);
      out.writeBytes(MqttPackets.varInt(value));
      return this;
    }

    public Props string(int id, String value) {
      out.write(id);
      out.writeBytes(utf8(value));
      return this;
    }

    public Props binary(int id, byte[] value) {
      out.write(id);
      out.writeBytes(lengthPrefixed(value));
      return this;
    }

    public Props userProperty(String name, String value) {
      out.write(0x26);
      out.writeBytes(utf8(name));
      out.writeBytes(utf8(value));
      return this;
    }

    public byte[] bytes() {
      return out.toByteArray();
    }
  }
}
