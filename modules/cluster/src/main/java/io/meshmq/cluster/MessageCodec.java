package io.meshmq.cluster;

import io.meshmq.core.message.Message;
import io.meshmq.core.message.Delivery;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Event-bus codec for messages forwarded between nodes: {@link MessageWire} on the wire, as is in the JVM. */
final class MessageCodec implements io.vertx.core.eventbus.MessageCodec<Forwarded, Forwarded> {

  static final String NAME = "meshmq-forwarded";

  @Override
  public void encodeToWire(Buffer buffer, Forwarded f) {
    Message m = f.message();
    Buffer body = Buffer.buffer(72 + m.payload().length);
    body.appendLong(f.forwardId());
    MessageWire.write(body, m);
    body.appendInt(f.shares().size());
    for (Delivery.ShareRef ref : f.shares()) {
      appendString(body, ref.group());
      appendString(body, ref.filter());
    }
    buffer.appendInt(body.length()).appendBuffer(body);
  }

  @Override
  public Forwarded decodeFromWire(int pos, Buffer buffer) {
    int[] end = new int[1];
    long forwardId = buffer.getLong(pos + 4);
    Message m = MessageWire.read(buffer, pos + 12, end);
    int at = end[0];
    int n = buffer.getInt(at);
    at += 4;
    List<Delivery.ShareRef> shares = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int gl = buffer.getInt(at);
      String group = buffer.getString(at + 4, at + 4 + gl, "UTF-8");
      at += 4 + gl;
      int fl = buffer.getInt(at);
      String filter = buffer.getString(at + 4, at + 4 + fl, "UTF-8");
      at += 4 + fl;
      shares.add(new Delivery.ShareRef(group, filter));
    }
    return new Forwarded(forwardId, m, shares);
  }

  private static void appendString(Buffer b, String s) {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public Forwarded transform(Forwarded f) {
    return f; // immutable
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
