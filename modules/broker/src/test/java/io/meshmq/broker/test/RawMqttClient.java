package io.meshmq.broker.test;

import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A blocking MQTT client that speaks raw bytes: it writes whatever it is given (see {@link MqttPackets}) and
 * decodes what the broker sends into {@link Packet}s. Not thread-safe; one test thread drives it. The protocol
 * version used to decode (MQTT 5 packets carry properties) is taken from the CONNECT sent through
 * {@link #connect(MqttPackets.Connect)} or set with {@link #version(int)}.
 */
public final class RawMqttClient implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final List<Packet> beforeClose = new ArrayList<>();
  private byte[] buf = new byte[8192];
  private int len;
  private int version = V3_1_1;

  private RawMqttClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawMqttClient open(int port) throws IOException {
    return open(port, 0);
  }

  /**
   * Opens a connection whose socket receive buffer is {@code receiveBufferBytes} (0 = the system default); a
   * small one makes the broker's writes back up quickly once the test stops reading.
   */
  public static RawMqttClient open(int port, int receiveBufferBytes) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    if (receiveBufferBytes > 0) {
      s.setReceiveBufferSize(receiveBufferBytes); // before connect, so that the TCP window follows it
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
    return new RawMqttClient(s);
  }

  /** A client on a socket the test connected (and may have written to) itself, e.g. TLS over a proxied socket. */
  public static RawMqttClient over(Socket connected) throws IOException {
    return new RawMqttClient(connected);
  }

  /** The client's end of the connection ("host:port" of it is what the broker sees as the client's address). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  public int version() {
    return version;
  }

  public RawMqttClient version(int protocolLevel) {
    this.version = protocolLevel;
    return this;
  }

  /** Writes the packets in one socket write (so they typically reach the broker in one TCP segment). */
  public RawMqttClient write(byte[]... packets) throws IOException {
    out.write(MqttPackets.concat(packets));
    out.flush();
    return this;
  }

  /** Sends the CONNECT and returns the broker's first answer (normally a CONNACK). */
  public Packet connect(MqttPackets.Connect connect) throws IOException {
    version = connect.level();
    write(connect.encode());
    return readPacket(TIMEOUT);
  }

  public RawMqttClient publish(String topic, int qos, int packetId, String payload) throws IOException {
    return write(MqttPackets.publish(version, topic, qos, packetId, payload.getBytes(StandardCharsets.UTF_8)));
  }

  public RawMqttClient subscribe(int packetId, String filter, int qos) throws IOException {
    return write(MqttPackets.subscribe(version, packetId, filter, qos));
  }

  public RawMqttClient ping() throws IOException {
    return write(MqttPackets.pingreq());
  }

  /** The next packet; {@link SocketTimeoutException} when none arrives in time, {@link EOFException} on close. */
  public Packet readPacket(Duration timeout) throws IOException {
    Packet p = pollPacket(timeout);
    if (p == null) {
      throw new SocketTimeoutException("no packet from the broker within " + timeout.toMillis() + " ms");
    }
    return p;
  }

  /** The next packet, or {@code null} when none arrives in time (bytes of a partial packet are kept). */
  public Packet pollPacket(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Packet p = parse();
      if (p != null) {
        return p;
      }
      long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) left);
      int n;
      try {
        ensureRoom(4096);
        n = in.read(buf, len, buf.length - len);
      } catch (SocketTimeoutException e) {
        return null;
      }
      if (n < 0) {
        throw new EOFException("connection closed by the broker");
      }
      len += n;
    }
  }

  /**
   * From now on reads and throws away everything the broker sends, on a daemon thread, until the connection
   * closes; for a client that only writes (a publisher flooding the broker). Returns the thread.
   */
  public Thread discardIncoming() {
    Thread t = new Thread(() -> {
      byte[] sink = new byte[16384];
      try {
        socket.setSoTimeout(0);
        while (in.read(sink) >= 0) {
          // discarded
        }
      } catch (IOException e) {
        // closed: nothing more to discard
      }
    }, "raw-discard-" + socket.getLocalPort());
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Reads the next packet and checks its type. */
  public Packet expect(int type) throws IOException {
    Packet p = readPacket(TIMEOUT);
    if (p.type() != type) {
      throw new AssertionError("expected packet type " + type + " but got " + p);
    }
    return p;
  }

  /**
   * Waits until the broker closes the connection (end of stream or reset) and returns true, or false on timeout.
   * Packets that arrive meanwhile are kept in {@link #packetsBeforeClose()}.
   */
  public boolean awaitClosed(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        Packet p = pollPacket(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (p == null) {
          return false;
        }
        beforeClose.add(p);
      }
    } catch (EOFException e) {
      return true;
    } catch (SocketException e) {
      // Connection reset: the broker closed with unread data, which is a close as well.
      return true;
    }
  }

  public List<Packet> packetsBeforeClose() {
    return beforeClose;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** Closes abruptly: the broker sees a TCP reset instead of an orderly close. */
  public void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private void ensureRoom(int n) {
    if (buf.length - len < n) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  /** One complete packet from the front of the buffer, or null when more bytes are needed. */
  private Packet parse() throws IOException {
    if (len < 2) {
      return null;
    }
    int remaining = 0;
    int i = 1;
    for (int shift = 0; ; shift += 7, i++) {
      if (i > 4) {
        throw new IOException("broker sent a remaining length of more than 4 bytes");
      }
      if (i >= len) {
        return null;
      }
      remaining |= (buf[i] & 0x7F) << shift;
      if ((buf[i] & 0x80) == 0) {
        break;
      }
    }
    int start = i + 1;
    if (len - start < remaining) {
      return null;
    }
    int header = buf[0] & 0xFF;
    byte[] body = Arrays.copyOfRange(buf, start, start + remaining);
    System.arraycopy(buf, start + remaining, buf, 0, len - start - remaining);
    len -= start + remaining;
    return Packet.decode(version, header, body);
  }

  // ---------------------------------------------------------------- decoded packets

  /**
   * A packet from the broker. Fields not carried by its type keep their defaults (0, -1, null, empty). For
   * CONNACK {@code reasonCode} is the return code / reason code; for acks and DISCONNECT it is the MQTT 5
   * reason code (0 when absent).
   */
  public record Packet(int type, int flags, byte[] body, boolean sessionPresent, int reasonCode, int packetId,
                       String topic, byte[] payload, int[] codes, Properties properties) {

    public int qos() {
      return (flags >> 1) & 3;
    }

    public boolean dup() {
      return (flags & 8) != 0;
    }

    public boolean retain() {
      return (flags & 1) != 0;
    }

    public String payloadText() {
      return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    /** First value of an MQTT 5 property, or null. */
    public Object property(int id) {
      return properties.get(id);
    }

    static Packet decode(int version, int header, byte[] body) {
      int type = header >> 4;
      int flags = header & 0x0F;
      ByteBuffer b = ByteBuffer.wrap(body);
      boolean v5 = version >= V5;
      boolean sessionPresent = false;
      int reason = 0;
      int packetId = -1;
      String topic = null;
      byte[] payload = null;
      int[] codes = new int[0];
      Properties props = Properties.NONE;
      switch (type) {
        case CONNACK -> {
          sessionPresent = b.remaining() > 0 && (b.get() & 1) != 0;
          reason = b.remaining() > 0 ? b.get() & 0xFF : -1;
          props = v5 && b.hasRemaining() ? Properties.read(b) : Properties.NONE;
        }
        case MqttPackets.PUBLISH -> {
          topic = new String(bytes(b, b.getShort() & 0xFFFF), StandardCharsets.UTF_8);
          packetId = (flags & 6) != 0 ? b.getShort() & 0xFFFF : -1;
          props = v5 ? Properties.read(b) : Properties.NONE;
          payload = bytes(b, b.remaining());
        }
        case MqttPackets.PUBACK, MqttPackets.PUBREC, MqttPackets.PUBREL, MqttPackets.PUBCOMP -> {
          packetId = b.getShort() & 0xFFFF;
          reason = b.hasRemaining() ? b.get() & 0xFF : 0;
          props = b.hasRemaining() ? Properties.read(b) : Properties.NONE;
        }
        case MqttPackets.SUBACK, MqttPackets.UNSUBACK -> {
          packetId = b.getShort() & 0xFFFF;
          props = v5 ? Properties.read(b) : Properties.NONE;
          codes = new int[b.remaining()];
          for (int i = 0; i < codes.length; i++) {
            codes[i] = b.get() & 0xFF;
          }
        }
        case MqttPackets.DISCONNECT, MqttPackets.AUTH -> {
          reason = b.hasRemaining() ? b.get() & 0xFF : 0;
          props = b.hasRemaining() ? Properties.read(b) : Properties.NONE;
        }
        default -> {
          // PINGRESP and anything unexpected: the raw body is all there is.
        }
      }
      return new Packet(type, flags, body, sessionPresent, reason, packetId, topic, payload, codes, props);
    }

    @Override
    public String toString() {
      String[] names = {"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
          "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
      StringBuilder s = new StringBuilder(names[type]);
      s.append(String.format("{flags=0x%X", flags));
      switch (type) {
        case CONNACK -> s.append(", sessionPresent=").append(sessionPresent).append(String.format(", code=0x%02X", reasonCode));
        case MqttPackets.PUBLISH -> s.append(", qos=").append(qos()).append(", id=").append(packetId)
            .append(", topic=").append(topic).append(", payload=").append(payloadText());
        case MqttPackets.SUBACK, MqttPackets.UNSUBACK -> s.append(", id=").append(packetId).append(", codes=")
            .append(Arrays.toString(Arrays.stream(codes).mapToObj(c -> String.format("0x%02X", c)).toArray()));
        case MqttPackets.PUBACK, MqttPackets.PUBREC, MqttPackets.PUBREL, MqttPackets.PUBCOMP ->
            s.append(", id=").append(packetId).append(String.format(", reason=0x%02X", reasonCode));
        case MqttPackets.DISCONNECT, MqttPackets.AUTH -> s.append(String.format(", reason=0x%02X", reasonCode));
        default -> s.append(", body=").append(body.length).append(" bytes");
      }
      if (!properties.values().isEmpty()) {
        s.append(", properties=").append(properties);
      }
      return s.append('}').toString();
    }

    private static byte[] bytes(ByteBuffer b, int n) {
      byte[] r = new byte[n];
      b.get(r);
      return r;
    }
  }

  /**
   * A decoded MQTT 5 property block: the raw content and the (id, value) pairs in wire order. Values are
   * Integer (byte, two-byte, variable byte integer), Long (four-byte), String, byte[] (binary) or
   * Map.Entry&lt;String, String&gt; (user property).
   */
  public record Properties(byte[] raw, List<Map.Entry<Integer, Object>> values) {

    static final Properties NONE = new Properties(new byte[0], List.of());

    public Object get(int id) {
      return values.stream().filter(e -> e.getKey() == id).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    public List<Object> all(int id) {
      return values.stream().filter(e -> e.getKey() == id).map(Map.Entry::getValue).toList();
    }

    static Properties read(ByteBuffer b) {
      int length = readVarInt(b);
      byte[] raw = new byte[length];
      b.get(raw);
      ByteBuffer p = ByteBuffer.wrap(raw);
      List<Map.Entry<Integer, Object>> values = new ArrayList<>();
      while (p.hasRemaining()) {
        int id = p.get() & 0xFF;
        Object v = switch (id) {
          case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> p.get() & 0xFF;
          case 0x13, 0x21, 0x22, 0x23 -> p.getShort() & 0xFFFF;
          case 0x02, 0x11, 0x18, 0x27 -> p.getInt() & 0xFFFF_FFFFL;
          case 0x0B -> readVarInt(p);
          case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> string(p);
          case 0x09, 0x16 -> Packet.bytes(p, p.getShort() & 0xFFFF);
          case 0x26 -> Map.entry(string(p), string(p));
          default -> throw new IllegalStateException(String.format("unknown MQTT 5 property 0x%02X", id));
        };
        values.add(Map.entry(id, v));
      }
      return new Properties(raw, values);
    }

    private static String string(ByteBuffer b) {
      return new String(Packet.bytes(b, b.getShort() & 0xFFFF), StandardCharsets.UTF_8);
    }

    private static int readVarInt(ByteBuffer b) {
      int value = 0;
      for (int shift = 0; shift < 28; shift += 7) {
        int digit = b.get() & 0xFF;
        value |= (digit & 0x7F) << shift;
        if ((digit & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalStateException("variable byte integer longer than 4 bytes");
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("{");
      for (Map.Entry<Integer, Object> e : values) {
        Object v = e.getValue() instanceof byte[] bytes ? bytes.length + " bytes" : e.getValue();
        s.append(s.length() > 1 ? ", " : "").append(String.format("0x%02X=", e.getKey())).append(v);
      }
      return s.append('}').toString();
    }
  }
}
