package io.meshmq.cluster;

import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.core.message.Delivery;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Binary form of a handed-over session and of single deliveries forwarded to a moved session. */
final class SessionWire {

  private SessionWire() {
  }

  static byte[] encode(SessionSnapshot s) {
    Buffer b = Buffer.buffer(256);
    writeString(b, s.clientId());
    b.appendLong(s.expirySeconds());
    b.appendInt(s.subscriptions().size());
    for (SessionSnapshot.SubscriptionSpec sub : s.subscriptions()) {
      writeString(b, sub.filter());
      writeString(b, sub.shareGroup());
      b.appendByte((byte) sub.qos()).appendByte((byte) (sub.noLocal() ? 1 : 0))
          .appendByte((byte) (sub.retainAsPublished() ? 1 : 0)).appendByte((byte) sub.retainHandling())
          .appendInt(sub.subscriptionId());
    }
    b.appendInt(s.inflight().size());
    for (SessionSnapshot.InflightEntry e : s.inflight()) {
      b.appendInt(e.packetId()).appendByte((byte) (e.released() ? 1 : 0));
      writeDelivery(b, e.delivery());
    }
    b.appendInt(s.queued().size());
    for (Delivery d : s.queued()) {
      writeDelivery(b, d);
    }
    b.appendInt(s.inboundQos2().size());
    for (int id : s.inboundQos2()) {
      b.appendInt(id);
    }
    return b.getBytes();
  }

  static SessionSnapshot decode(byte[] bytes) {
    Buffer b = Buffer.buffer(bytes);
    int[] at = {0};
    String clientId = readString(b, at);
    long expiry = b.getLong(at[0]);
    at[0] += 8;
    int n = readInt(b, at);
    List<SessionSnapshot.SubscriptionSpec> subs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String filter = readString(b, at);
      String group = readString(b, at);
      int qos = b.getByte(at[0]++);
      boolean noLocal = b.getByte(at[0]++) != 0;
      boolean rap = b.getByte(at[0]++) != 0;
      int rh = b.getByte(at[0]++);
      int subId = readInt(b, at);
      subs.add(new SessionSnapshot.SubscriptionSpec(filter, group, qos, noLocal, rap, rh, subId));
    }
    n = readInt(b, at);
    List<SessionSnapshot.InflightEntry> inflight = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int packetId = readInt(b, at);
      boolean released = b.getByte(at[0]++) != 0;
      inflight.add(new SessionSnapshot.InflightEntry(packetId, readDelivery(b, at), released));
    }
    n = readInt(b, at);
    List<Delivery> queued = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      queued.add(readDelivery(b, at));
    }
    n = readInt(b, at);
    Set<Integer> ids = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(readInt(b, at));
    }
    return new SessionSnapshot(clientId, expiry, subs, inflight, queued, ids);
  }

  static byte[] encodeDelivery(Delivery d) {
    Buffer b = Buffer.buffer(64 + d.message().payload().length);
    writeDelivery(b, d);
    return b.getBytes();
  }

  static Delivery decodeDelivery(byte[] bytes) {
    return readDelivery(Buffer.buffer(bytes), new int[] {0});
  }

  private static void writeDelivery(Buffer b, Delivery d) {
    MessageWire.write(b, d.message());
    writeDeliveryFields(b, d);
  }

  /** What a delivery adds to its message: QoS, retain flag, subscription identifiers, shared group. */
  static void writeDeliveryFields(Buffer b, Delivery d) {
    b.appendByte((byte) d.qos()).appendByte((byte) (d.retain() ? 1 : 0));
    b.appendInt(d.subscriptionIds().length);
    for (int id : d.subscriptionIds()) {
      b.appendInt(id);
    }
    writeString(b, d.share() == null ? null : d.share().group());
    writeString(b, d.share() == null ? null : d.share().filter());
  }

  private static Delivery readDelivery(Buffer b, int[] at) {
    int[] end = new int[1];
    var message = MessageWire.read(b, at[0], end);
    at[0] = end[0];
    return readDeliveryFields(b, at, message);
  }

  /** Reads what {@link #writeDeliveryFields} wrote, for this message. */
  static Delivery readDeliveryFields(Buffer b, int[] at, io.meshmq.core.message.Message message) {
    int qos = b.getByte(at[0]++);
    boolean retain = b.getByte(at[0]++) != 0;
    int n = readInt(b, at);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = readInt(b, at);
    }
    String group = readString(b, at);
    String filter = readString(b, at);
    return new Delivery(message, qos, retain, ids, group == null ? null : new Delivery.ShareRef(group, filter));
  }

  static int readInt(Buffer b, int[] at) {
    int v = b.getInt(at[0]);
    at[0] += 4;
    return v;
  }

  static void writeString(Buffer b, String s) {
    if (s == null) {
      b.appendInt(-1);
    } else {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      b.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  static String readString(Buffer b, int[] at) {
    int len = readInt(b, at);
    if (len < 0) {
      return null;
    }
    String s = new String(b.getBytes(at[0], at[0] + len), StandardCharsets.UTF_8);
    at[0] += len;
    return s;
  }
}
