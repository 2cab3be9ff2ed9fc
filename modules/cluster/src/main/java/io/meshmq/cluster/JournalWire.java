package io.meshmq.cluster;

import io.meshmq.core.message.Message;
import io.vertx.core.buffer.Buffer;
import static io.meshmq.cluster.SessionWire.readInt;
import static io.meshmq.cluster.SessionWire.readString;
import static io.meshmq.cluster.SessionWire.writeString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of one journal entry: a run of {@link JournalRecord}s. A message taken by many sessions is
 * written once per entry (its first {@code Take} carries it, the others name its id), so that an entry of a
 * fan-out to 2,000 subscribers holds one payload, not 2,000.
 */
final class JournalWire {

  private static final byte VERSION = 1;
  private static final byte TAKE_WITH_MESSAGE = 1;
  private static final byte TAKE = 2;
  private static final byte MARK = 3;
  private static final byte DONE = 4;
  private static final byte INBOUND_HELD = 5;
  private static final byte INBOUND_RELEASED = 6;
  private static final byte CLEAR = 7;

  private JournalWire() {
  }

  /** Writes records into one entry; {@link #size()} tells when to start another. */
  static final class Writer {
    private final Buffer b = Buffer.buffer(1024).appendByte(VERSION);
    private final java.util.Set<Long> messagesWritten = new java.util.HashSet<>();
    private int records;

    void add(JournalRecord r) {
      records++;
      if (r instanceof JournalRecord.Take t) {
        boolean first = messagesWritten.add(t.messageId());
        b.appendByte(first ? TAKE_WITH_MESSAGE : TAKE);
        writeString(b, t.clientId());
        if (first) {
          MessageWire.write(b, t.delivery().message());
        } else {
          b.appendLong(t.messageId());
        }
        b.appendLong(t.sequence()).appendInt(t.packetId()).appendByte((byte) (t.released() ? 1 : 0));
        SessionWire.writeDeliveryFields(b, t.delivery());
      } else if (r instanceof JournalRecord.Mark m) {
        b.appendByte(MARK);
        writeString(b, m.clientId());
        b.appendLong(m.messageId()).appendInt(m.packetId()).appendByte((byte) (m.released() ? 1 : 0));
      } else if (r instanceof JournalRecord.Done d) {
        b.appendByte(DONE);
        writeString(b, d.clientId());
        b.appendLong(d.messageId());
      } else if (r instanceof JournalRecord.InboundHeld h) {
        b.appendByte(INBOUND_HELD);
        writeString(b, h.clientId());
        b.appendInt(h.packetId());
      } else if (r instanceof JournalRecord.InboundReleased h) {
        b.appendByte(INBOUND_RELEASED);
        writeString(b, h.clientId());
        b.appendInt(h.packetId());
      } else if (r instanceof JournalRecord.Clear c) {
        b.appendByte(CLEAR);
        writeString(b, c.clientId());
      }
    }

    int size() {
      return b.length();
    }

    int records() {
      return records;
    }

    byte[] bytes() {
      return b.getBytes();
    }
  }

  static byte[] encode(List<? extends JournalRecord> records) {
    Writer w = new Writer();
    records.forEach(w::add);
    return w.bytes();
  }

  static List<JournalRecord> decode(byte[] bytes) {
    Buffer b = Buffer.buffer(bytes);
    if (b.length() == 0 || b.getByte(0) != VERSION) {
      throw new IllegalArgumentException("unknown journal entry version " + (b.length() == 0 ? "(empty)" : b.getByte(0)));
    }
    Map<Long, Message> messages = new HashMap<>();
    List<JournalRecord> out = new ArrayList<>();
    int[] at = {1};
    while (at[0] < b.length()) {
      byte type = b.getByte(at[0]++);
      String clientId = readString(b, at);
      switch (type) {
        case TAKE_WITH_MESSAGE, TAKE -> {
          Message m;
          if (type == TAKE_WITH_MESSAGE) {
            int[] end = new int[1];
            m = MessageWire.read(b, at[0], end);
            at[0] = end[0];
            messages.put(m.id(), m);
          } else {
            long id = readLong(b, at);
            m = messages.get(id);
            if (m == null) {
              throw new IllegalArgumentException("journal entry names message " + id + " before carrying it");
            }
          }
          long sequence = readLong(b, at);
          int packetId = readInt(b, at);
          boolean released = b.getByte(at[0]++) != 0;
          out.add(new JournalRecord.Take(clientId, sequence, SessionWire.readDeliveryFields(b, at, m), packetId, released));
        }
        case MARK -> {
          long id = readLong(b, at);
          int packetId = readInt(b, at);
          out.add(new JournalRecord.Mark(clientId, id, packetId, b.getByte(at[0]++) != 0));
        }
        case DONE -> out.add(new JournalRecord.Done(clientId, readLong(b, at)));
        case INBOUND_HELD -> out.add(new JournalRecord.InboundHeld(clientId, readInt(b, at)));
        case INBOUND_RELEASED -> out.add(new JournalRecord.InboundReleased(clientId, readInt(b, at)));
        case CLEAR -> out.add(new JournalRecord.Clear(clientId));
        default -> throw new IllegalArgumentException("unknown journal record type " + type);
      }
    }
    return out;
  }

  private static long readLong(Buffer b, int[] at) {
    long v = b.getLong(at[0]);
    at[0] += 8;
    return v;
  }
}
