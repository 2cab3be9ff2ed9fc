package io.meshmq.cluster;

import io.meshmq.core.message.Message;
import io.meshmq.core.message.PublishProperties;
import io.meshmq.core.message.UserProperty;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The compact binary form of a {@link Message} between nodes and in Hazelcast (no JSON, no Java serialization). */
final class MessageWire {

  private static final byte VERSION = 2;

  private MessageWire() {
  }

  static byte[] toBytes(Message m) {
    Buffer b = Buffer.buffer(64 + m.payload().length);
    write(b, m);
    return b.getBytes();
  }

  static Message fromBytes(byte[] bytes) {
    return read(Buffer.buffer(bytes), 0, new int[1]);
  }

  static void write(Buffer b, Message m) {
    PublishProperties p = m.properties();
    b.appendByte(VERSION);
    writeString(b, m.topic());
    b.appendInt(m.payload().length).appendBytes(m.payload());
    b.appendByte((byte) (m.qos() | (m.retain() ? 0x10 : 0)));
    writeString(b, m.publisherId());
    b.appendLong(m.expiresAtMillis());
    b.appendLong(m.id());
    b.appendByte((byte) p.payloadFormatIndicator());
    writeString(b, p.contentType());
    writeString(b, p.responseTopic());
    writeBytes(b, p.correlationData());
    b.appendInt(p.userProperties().size());
    for (UserProperty u : p.userProperties()) {
      writeString(b, u.name());
      writeString(b, u.value());
    }
  }

  /** Reads a message at {@code pos}; {@code end[0]} receives the position after it. */
  static Message read(Buffer b, int pos, int[] end) {
    int[] at = {pos};
    byte version = b.getByte(at[0]++);
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown message wire version " + version);
    }
    String topic = readString(b, at);
    int len = b.getInt(at[0]);
    at[0] += 4;
    byte[] payload = b.getBytes(at[0], at[0] + len);
    at[0] += len;
    int flags = b.getByte(at[0]++);
    String publisher = readString(b, at);
    long expiresAt = b.getLong(at[0]);
    at[0] += 8;
    long id = b.getLong(at[0]);
    at[0] += 8;
    int pfi = b.getByte(at[0]++);
    String contentType = readString(b, at);
    String responseTopic = readString(b, at);
    byte[] correlation = readBytes(b, at);
    int users = b.getInt(at[0]);
    at[0] += 4;
    List<UserProperty> userProps = new ArrayList<>(users);
    for (int i = 0; i < users; i++) {
      userProps.add(new UserProperty(readString(b, at), readString(b, at)));
    }
    end[0] = at[0];
    PublishProperties props = new PublishProperties(pfi, contentType, responseTopic, correlation, userProps);
    return new Message(topic, payload, flags & 0x03, (flags & 0x10) != 0, props.isEmpty() ? PublishProperties.NONE : props,
        publisher, expiresAt, id);
  }

  private static void writeString(Buffer b, String s) {
    writeBytes(b, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeBytes(Buffer b, byte[] bytes) {
    if (bytes == null) {
      b.appendInt(-1);
    } else {
      b.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  private static String readString(Buffer b, int[] at) {
    byte[] bytes = readBytes(b, at);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(Buffer b, int[] at) {
    int len = b.getInt(at[0]);
    at[0] += 4;
    if (len < 0) {
      return null;
    }
    byte[] bytes = b.getBytes(at[0], at[0] + len);
    at[0] += len;
    return bytes;
  }
}
