package io.meshmq.broker.it.v5;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-rolled MQTT 5 client over a plain socket, for what real clients hide or refuse to do: never
 * acknowledging, choosing topic aliases and packet ids, sending filters or packets a client library would
 * reject locally, and closing the socket without DISCONNECT. Packets the broker sends are decoded by a reader
 * thread into a queue; the end of the stream is reported as a {@link Packet#CLOSED} marker.
 */
final class RawMqtt5Client implements AutoCloseable {

  static final int CONNACK = 2;
  static final int PUBLISH = 3;
  static final int PUBACK = 4;
  static final int PUBREC = 5;
  static final int PUBREL = 6;
  static final int PUBCOMP = 7;
  static final int SUBACK = 9;
  static final int UNSUBACK = 11;
  static final int PINGRESP = 13;
  static final int DISCONNECT = 14;

  // Property identifiers (MQTT 5 2.2.2.2).
  static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
  static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
  static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
  static final int SESSION_EXPIRY_INTERVAL = 0x11;
  static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
  static final int SERVER_KEEP_ALIVE = 0x13;
  static final int WILL_DELAY_INTERVAL = 0x18;
  static final int RECEIVE_MAXIMUM = 0x21;
  static final int TOPIC_ALIAS_MAXIMUM = 0x22;
  static final int TOPIC_ALIAS = 0x23;
  static final int USER_PROPERTY = 0x26;
  static final int MAXIMUM_PACKET_SIZE = 0x27;

  private final Socket socket;
  private final OutputStream out;
  private final BlockingQueue<Packet> inbound = new LinkedBlockingQueue<>();
  private final Thread reader;

  private RawMqtt5Client(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    this.reader = new Thread(() -> readLoop(new DataInputStream(in)), "raw-mqtt5-reader");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  static RawMqtt5Client open(int port) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new RawMqtt5Client(s);
  }

  /** Opens a socket, sends CONNECT and returns the client once a successful CONNACK arrived. */
  static RawMqtt5Client connect(int port, Connect connect) throws IOException, InterruptedException {
    RawMqtt5Client c = open(port);
    c.send(connect.encode());
    Packet ack = c.expect(CONNACK, Duration.ofSeconds(5));
    if (ack.connackReasonCode() != 0) {
      c.close();
      throw new IllegalStateException("CONNACK reason 0x" + Integer.toHexString(ack.connackReasonCode()));
    }
    c.connack = ack;
    return c;
  }

  private Packet connack;

  Packet connack() {
    return connack;
  }

  // ------------------------------------------------------------------ reading

  private void readLoop(DataInputStream in) {
    try {
      while (true) {
        int first = in.read();
        if (first < 0) {
          break;
        }
        int remaining = readVarInt(in);
        byte[] body = new byte[remaining];
        in.readFully(body);
        inbound.add(new Packet(first >>> 4, first & 0x0F, body));
      }
    } catch (EOFException e) {
      // closed mid-packet: reported as closed below
    } catch (IOException e) {
      // socket closed (by us or by the broker)
    } finally {
      inbound.add(Packet.CLOSED);
    }
  }

  private static int readVarInt(InputStream in) throws IOException {
    int value = 0;
    int shift = 0;
    int b;
    do {
      b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      value |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }

  /** The next packet from the broker, or null if none arrives within the timeout. */
  Packet poll(Duration timeout) throws InterruptedException {
    return inbound.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next packet, which must be of the given type (PINGRESP packets are skipped unless expected). */
  Packet expect(int type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Packet p = left <= 0 ? null : inbound.poll(left, TimeUnit.NANOSECONDS);
      if (p == null) {
        throw new AssertionError("no packet of type " + type + " within " + timeout);
      }
      if (p.type == PINGRESP && type != PINGRESP) {
        continue;
      }
      if (p.type != type) {
        throw new AssertionError("expected packet type " + type + " but got " + p);
      }
      return p;
    }
  }

  /** Packets received so far and not yet taken, without waiting. */
  List<Packet> drain() {
    List<Packet> all = new ArrayList<>();
    inbound.drainTo(all);
    return all;
  }

  // ------------------------------------------------------------------ writing

  synchronized void send(byte[] packet) throws IOException {
    out.write(packet);
    out.flush();
  }

  void subscribe(int packetId, String filter, int options) throws IOException {
    subscribe(packetId, 0, new String[] {filter}, new int[] {options});
  }

  /** SUBSCRIBE with one options byte per filter (QoS | NL 0x04 | RAP 0x08 | RH << 4), optional subscription id. */
  void subscribe(int packetId, int subscriptionId, String[] filters, int[] options) throws IOException {
    Buf b = new Buf();
    b.u16(packetId);
    Buf props = new Buf();
    if (subscriptionId > 0) {
      props.u8(SUBSCRIPTION_IDENTIFIER).varInt(subscriptionId);
    }
    b.props(props);
    for (int i = 0; i < filters.length; i++) {
      b.str(filters[i]).u8(options[i]);
    }
    send(packet(0x82, b));
  }

  void unsubscribe(int packetId, String... filters) throws IOException {
    Buf b = new Buf();
    b.u16(packetId);
    b.props(new Buf());
    for (String f : filters) {
      b.str(f);
    }
    send(packet(0xA2, b));
  }

  /** PUBLISH; {@code props} is the encoded property list (see {@link Buf}), packet id ignored for QoS 0. */
  void publish(String topic, int qos, boolean retain, int packetId, Buf props, byte[] payload) throws IOException {
    Buf b = new Buf();
    b.str(topic);
    if (qos > 0) {
      b.u16(packetId);
    }
    b.props(props == null ? new Buf() : props);
    b.bytes(payload);
    send(packet(0x30 | (qos << 1) | (retain ? 1 : 0), b));
  }

  void puback(int packetId) throws IOException {
    send(packet(0x40, new Buf().u16(packetId)));
  }

  void pubrec(int packetId) throws IOException {
    send(packet(0x50, new Buf().u16(packetId)));
  }

  void pubcomp(int packetId) throws IOException {
    send(packet(0x70, new Buf().u16(packetId)));
  }

  void pubrel(int packetId) throws IOException {
    send(packet(0x62, new Buf().u16(packetId)));
  }

  void disconnect(int reasonCode) throws IOException {
    send(packet(0xE0, new Buf().u8(reasonCode).u8(0)));
  }

  void ping() throws IOException {
    send(new byte[] {(byte) 0xC0, 0});
  }

  /** Whether the broker closed the connection: the reader reached the end of the stream. */
  boolean closedByBroker(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Packet p = left <= 0 ? null : inbound.poll(left, TimeUnit.NANOSECONDS);
      if (p == null) {
        return false;
      }
      if (p == Packet.CLOSED) {
        return true;
      }
    }
  }

  /** Closes the socket without DISCONNECT (an abrupt connection loss as the broker sees it). */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  static byte[] packet(int firstByte, Buf body) {
    Buf p = new Buf();
    p.u8(firstByte).varInt(body.size()).bytes(body.toByteArray());
    return p.toByteArray();
  }

  // ------------------------------------------------------------------ CONNECT

  /** The fields of a CONNECT packet; encode() produces the MQTT 5 bytes. */
  static final class Connect {
    String clientId = "";
    boolean cleanStart = true;
    int keepAlive = 0;
    final Buf props = new Buf();
    String willTopic;
    byte[] willPayload;
    int willQos;
    boolean willRetain;
    final Buf willProps = new Buf();

    static Connect clientId(String id) {
      Connect c = new Connect();
      c.clientId = id;
      return c;
    }

    Connect cleanStart(boolean v) {
      cleanStart = v;
      return this;
    }

    Connect keepAlive(int seconds) {
      keepAlive = seconds;
      return this;
    }

    Connect sessionExpiry(long seconds) {
      props.u8(SESSION_EXPIRY_INTERVAL).u32(seconds);
      return this;
    }

    Connect receiveMaximum(int n) {
      props.u8(RECEIVE_MAXIMUM).u16(n);
      return this;
    }

    Connect topicAliasMaximum(int n) {
      props.u8(TOPIC_ALIAS_MAXIMUM).u16(n);
      return this;
    }

    Connect maximumPacketSize(long n) {
      props.u8(MAXIMUM_PACKET_SIZE).u32(n);
      return this;
    }

    Connect will(String topic, byte[] payload, int qos, boolean retain) {
      willTopic = topic;
      willPayload = payload;
      willQos = qos;
      willRetain = retain;
      return this;
    }

    Connect willDelay(long seconds) {
      willProps.u8(WILL_DELAY_INTERVAL).u32(seconds);
      return this;
    }

    byte[] encode() {
      Buf b = new Buf();
      b.str("MQTT").u8(5);
      int flags = cleanStart ? 0x02 : 0;
      if (willTopic != null) {
        flags |= 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0);
      }
      b.u8(flags).u16(keepAlive);
      b.props(props);
      b.str(clientId);
      if (willTopic != null) {
        b.props(willProps);
        b.str(willTopic);
        b.u16(willPayload.length).bytes(willPayload);
      }
      return packet(0x10, b);
    }
  }

  // ------------------------------------------------------------------ encoding helper

  /** A growing byte buffer with the MQTT data types. */
  static final class Buf {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Buf u8(int v) {
      bytes.write(v & 0xFF);
      return this;
    }

    Buf u16(int v) {
      bytes.write((v >>> 8) & 0xFF);
      bytes.write(v & 0xFF);
      return this;
    }

    Buf u32(long v) {
      u16((int) (v >>> 16) & 0xFFFF);
      return u16((int) v & 0xFFFF);
    }

    Buf varInt(int v) {
      do {
        int digit = v % 128;
        v /= 128;
        if (v > 0) {
          digit |= 0x80;
        }
        bytes.write(digit);
      } while (v > 0);
      return this;
    }

    Buf str(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      u16(utf8.length);
      return bytes(utf8);
    }

    Buf bytes(byte[] b) {
      bytes.write(b, 0, b.length);
      return this;
    }

    /** Appends a property list: its length as a variable byte integer, then the properties. */
    Buf props(Buf props) {
      byte[] p = props.toByteArray();
      varInt(p.length);
      return bytes(p);
    }

    int size() {
      return bytes.size();
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }

  // ------------------------------------------------------------------ decoding

  /** One packet from the broker, with decoders for the parts the tests look at. */
  static final class Packet {
    static final Packet CLOSED = new Packet(-1, 0, new byte[0]);

    final int type;
    final int flags;
    final byte[] body;

    Packet(int type, int flags, byte[] body) {
      this.type = type;
      this.flags = flags;
      this.body = body;
    }

    int u16(int at) {
      return ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
    }

    // CONNACK
    boolean sessionPresent() {
      return (body[0] & 1) != 0;
    }

    int connackReasonCode() {
      return body[1] & 0xFF;
    }

    Properties connackProperties() {
      return Properties.decode(body, 2);
    }

    // DISCONNECT
    int disconnectReasonCode() {
      return body.length == 0 ? 0 : body[0] & 0xFF;
    }

    // PUBLISH
    int qos() {
      return (flags >>> 1) & 3;
    }

    boolean retain() {
      return (flags & 1) != 0;
    }

    boolean dup() {
      return (flags & 8) != 0;
    }

    String topic() {
      int len = u16(0);
      return new String(body, 2, len, StandardCharsets.UTF_8);
    }

    int packetId() {
      if (type == PUBLISH) {
        return qos() == 0 ? 0 : u16(2 + u16(0));
      }
      return u16(0);
    }

    private int publishPropertiesOffset() {
      return 2 + u16(0) + (qos() > 0 ? 2 : 0);
    }

    Properties publishProperties() {
      return Properties.decode(body, publishPropertiesOffset());
    }

    byte[] payload() {
      int at = publishPropertiesOffset();
      int[] len = Properties.varInt(body, at);
      int start = at + len[1] + len[0];
      byte[] p = new byte[body.length - start];
      System.arraycopy(body, start, p, 0, p.length);
      return p;
    }

    String payloadString() {
      return new String(payload(), StandardCharsets.UTF_8);
    }

    // SUBACK / UNSUBACK: packet id, properties, one reason code per filter
    List<Integer> reasonCodes() {
      int[] len = Properties.varInt(body, 2);
      List<Integer> codes = new ArrayList<>();
      for (int i = 2 + len[1] + len[0]; i < body.length; i++) {
        codes.add(body[i] & 0xFF);
      }
      return codes;
    }

    @Override
    public String toString() {
      if (this == CLOSED) {
        return "CLOSED";
      }
      if (type == PUBLISH) {
        return "PUBLISH{topic='" + topic() + "', qos=" + qos() + ", id=" + packetId() + ", payload='" + payloadString() + "'}";
      }
      return "Packet{type=" + type + ", flags=" + flags + ", " + body.length + " B}";
    }
  }

  /** The decoded properties of a packet: numeric ones by id (repeated ones in order), strings, user properties. */
  static final class Properties {
    final java.util.Map<Integer, List<Long>> numbers = new java.util.HashMap<>();
    final java.util.Map<Integer, String> strings = new java.util.HashMap<>();
    final List<String[]> userProperties = new ArrayList<>();

    Long number(int id) {
      List<Long> v = numbers.get(id);
      return v == null ? null : v.get(0);
    }

    List<Long> all(int id) {
      return numbers.getOrDefault(id, List.of());
    }

    /** [value, bytes used]. */
    static int[] varInt(byte[] b, int at) {
      int value = 0;
      int shift = 0;
      int i = at;
      int digit;
      do {
        digit = b[i++] & 0xFF;
        value |= (digit & 0x7F) << shift;
        shift += 7;
      } while ((digit & 0x80) != 0);
      return new int[] {value, i - at};
    }

    static Properties decode(byte[] b, int at) {
      Properties p = new Properties();
      if (at >= b.length) {
        return p;
      }
      int[] len = varInt(b, at);
      int i = at + len[1];
      int end = i + len[0];
      while (i < end) {
        int id = b[i++] & 0xFF;
        switch (id) {
          // one byte
          case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> {
            p.numbers.computeIfAbsent(id, k -> new ArrayList<>()).add((long) (b[i] & 0xFF));
            i += 1;
          }
          // two-byte integer
          case 0x13, 0x21, 0x22, 0x23 -> {
            p.numbers.computeIfAbsent(id, k -> new ArrayList<>()).add((long) (((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF)));
            i += 2;
          }
          // four-byte integer
          case 0x02, 0x11, 0x18, 0x27 -> {
            long v = ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            p.numbers.computeIfAbsent(id, k -> new ArrayList<>()).add(v);
            i += 4;
          }
          // variable byte integer
          case 0x0B -> {
            int[] v = varInt(b, i);
            p.numbers.computeIfAbsent(id, k -> new ArrayList<>()).add((long) v[0]);
            i += v[1];
          }
          // string pair
          case USER_PROPERTY -> {
            int kl = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            String k = new String(b, i + 2, kl, StandardCharsets.UTF_8);
            i += 2 + kl;
            int vl = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            String v = new String(b, i + 2, vl, StandardCharsets.UTF_8);
            i += 2 + vl;
            p.userProperties.add(new String[] {k, v});
          }
          // UTF-8 strings and binary data: two-byte length prefix
          default -> {
            int l = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            p.strings.put(id, new String(b, i + 2, l, StandardCharsets.UTF_8));
            i += 2 + l;
          }
        }
      }
      return p;
    }
  }
}
