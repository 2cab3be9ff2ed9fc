package io.meshmq.cluster;

import com.hazelcast.query.Predicate;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A persistent session's record in the sessions map: the node that holds the session, then the session itself
 * ({@link SessionWire}). The holder is what a departed node's recovery goes by: the client registry cannot say,
 * since a client that reconnects elsewhere before its node is declared dead has claimed its id there already.
 */
final class HeldSession {

  private HeldSession() {
  }

  static byte[] encode(String holder, byte[] session) {
    byte[] node = holder.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(2 + node.length + session.length).appendUnsignedShort(node.length).appendBytes(node)
        .appendBytes(session).getBytes();
  }

  static String holder(byte[] record) {
    int length = ((record[0] & 0xff) << 8) | (record[1] & 0xff);
    return new String(record, 2, length, StandardCharsets.UTF_8);
  }

  static byte[] session(byte[] record) {
    int length = ((record[0] & 0xff) << 8) | (record[1] & 0xff);
    byte[] out = new byte[record.length - 2 - length];
    System.arraycopy(record, 2 + length, out, 0, out.length);
    return out;
  }

  /** Matches the records one node holds; evaluated on the members that own the entries, so only those travel. */
  static final class HeldBy implements Predicate<String, byte[]> {
    private static final long serialVersionUID = 1L;
    private final String node;

    HeldBy(String node) {
      this.node = node;
    }

    @Override
    public boolean apply(Map.Entry<String, byte[]> entry) {
      byte[] record = entry.getValue();
      return record != null && record.length >= 2 && node.equals(holder(record));
    }
  }
}
