package io.meshmq.cluster;

import static io.meshmq.cluster.SessionWire.readInt;
import static io.meshmq.cluster.SessionWire.readString;
import static io.meshmq.cluster.SessionWire.writeString;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The event-bus codec of every {@link NodeMessage}: a length, the kind's tag, then its fields (messages in
 * {@link MessageWire}, sessions and deliveries in {@link SessionWire}); within one JVM the object itself passes.
 */
final class NodeMessageCodec implements io.vertx.core.eventbus.MessageCodec<NodeMessage, NodeMessage> {

  static final String NAME = "meshmq-node-message";
  private static final NodeMessage.Kind[] KINDS = NodeMessage.Kind.values();

  @Override
  public void encodeToWire(Buffer buffer, NodeMessage m) {
    Buffer body = Buffer.buffer(128);
    body.appendByte((byte) m.kind().ordinal());
    switch (m.kind()) {
      case FORWARD -> writeForwarded(body, (Forwarded) m);
      case KICK -> writeString(body, ((NodeMessage.Kick) m).clientId());
      case HAND_OVER -> {
        NodeMessage.HandOver h = (NodeMessage.HandOver) m;
        writeString(body, h.clientId());
        writeString(body, h.to());
      }
      case READY -> writeString(body, ((NodeMessage.Ready) m).clientId());
      case ADOPT -> writeBytes(body, SessionWire.encode(((NodeMessage.Adopt) m).session()));
      case DELIVER -> {
        NodeMessage.Deliver d = (NodeMessage.Deliver) m;
        writeString(body, d.clientId());
        writeBytes(body, SessionWire.encodeDelivery(d.delivery()));
      }
      case RECOVERED -> {
        NodeMessage.Recovered r = (NodeMessage.Recovered) m;
        writeString(body, r.departed());
        writeString(body, r.adopter());
        writeStrings(body, r.routes());
        writeStrings(body, r.clients());
      }
      case MERGED -> writeString(body, ((NodeMessage.Merged) m).from());
      case LOAD -> {
        writeString(body, ((NodeMessage.Load) m).node());
        body.appendInt(((NodeMessage.Load) m).connections());
      }
      case REBALANCE -> writeString(body, ((NodeMessage.Rebalance) m).requestedAt());
      default -> throw new IllegalArgumentException("no wire form for " + m.kind());
    }
    buffer.appendInt(body.length()).appendBuffer(body);
  }

  @Override
  public NodeMessage decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    Buffer b = buffer.getBuffer(pos + 4, pos + 4 + length);
    int[] at = {1};
    NodeMessage.Kind kind = KINDS[b.getByte(0)];
    return switch (kind) {
      case FORWARD -> readForwarded(b, at);
      case KICK -> new NodeMessage.Kick(readString(b, at));
      case HAND_OVER -> new NodeMessage.HandOver(readString(b, at), readString(b, at));
      case READY -> new NodeMessage.Ready(readString(b, at));
      case ADOPT -> new NodeMessage.Adopt(SessionWire.decode(readBytes(b, at)));
      case DELIVER -> new NodeMessage.Deliver(readString(b, at), SessionWire.decodeDelivery(readBytes(b, at)));
      case RECOVERED -> new NodeMessage.Recovered(readString(b, at), readString(b, at), readStrings(b, at),
          readStrings(b, at));
      case MERGED -> new NodeMessage.Merged(readString(b, at));
      case LOAD -> new NodeMessage.Load(readString(b, at), readInt(b, at));
      case REBALANCE -> new NodeMessage.Rebalance(readString(b, at));
    };
  }

  private static void writeForwarded(Buffer b, Forwarded f) {
    b.appendLong(f.forwardId());
    MessageWire.write(b, f.message());
    b.appendInt(f.shares().size());
    for (Delivery.ShareRef ref : f.shares()) {
      writeString(b, ref.group());
      writeString(b, ref.filter());
    }
  }

  private static Forwarded readForwarded(Buffer b, int[] at) {
    long forwardId = b.getLong(at[0]);
    int[] end = new int[1];
    Message m = MessageWire.read(b, at[0] + 8, end);
    at[0] = end[0];
    int n = readInt(b, at);
    List<Delivery.ShareRef> shares = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      shares.add(new Delivery.ShareRef(readString(b, at), readString(b, at)));
    }
    return new Forwarded(forwardId, m, shares);
  }

  private static void writeBytes(Buffer b, byte[] bytes) {
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static byte[] readBytes(Buffer b, int[] at) {
    int n = readInt(b, at);
    byte[] out = b.getBytes(at[0], at[0] + n);
    at[0] += n;
    return out;
  }

  private static void writeStrings(Buffer b, List<String> strings) {
    b.appendInt(strings.size());
    strings.forEach(s -> writeString(b, s));
  }

  private static List<String> readStrings(Buffer b, int[] at) {
    int n = readInt(b, at);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readString(b, at));
    }
    return out;
  }

  @Override
  public NodeMessage transform(NodeMessage m) {
    return m; // immutable records
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
