package io.meshmq.cluster;

import io.meshmq.core.message.Message;
import io.vertx.core.buffer.Buffer;

/** Event-bus codec for messages forwarded between nodes: {@link MessageWire} on the wire, as is in the JVM. */
final class MessageCodec implements io.vertx.core.eventbus.MessageCodec<Message, Message> {

  static final String NAME = "meshmq-message";

  @Override
  public void encodeToWire(Buffer buffer, Message m) {
    Buffer body = Buffer.buffer(64 + m.payload().length);
    MessageWire.write(body, m);
    buffer.appendInt(body.length()).appendBuffer(body);
  }

  @Override
  public Message decodeFromWire(int pos, Buffer buffer) {
    return MessageWire.read(buffer, pos + 4, new int[1]);
  }

  @Override
  public Message transform(Message m) {
    return m; // immutable
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
