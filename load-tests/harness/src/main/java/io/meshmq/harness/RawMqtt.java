package io.meshmq.harness;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A minimal blocking MQTT 3.1.1 client on a plain socket, for scenarios that time single packets. */
final class RawMqtt implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int nextId = 1;

  RawMqtt(int port, String clientId) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write(IdleConnections.connectPacket(clientId));
    out.flush();
    Packet connack = read(10_000);
    if (connack == null || connack.type != 2) {
      throw new IOException("no CONNACK");
    }
  }

  /** Sends SUBSCRIBE and waits for its SUBACK. */
  void subscribe(String filter, int qos) throws IOException {
    byte[] f = filter.getBytes(StandardCharsets.UTF_8);
    int id = nextId++;
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + 2 + f.length + 1 + 4);
    b.put((byte) 0x82);
    putLength(b, 2 + 2 + f.length + 1);
    b.putShort((short) id).putShort((short) f.length).put(f).put((byte) qos);
    send(b);
    while (true) {
      Packet p = read(10_000);
      if (p == null) {
        throw new IOException("no SUBACK");
      }
      if (p.type == 9) {
        return;
      }
    }
  }

  void publishQos0(String topic, byte[] payload) throws IOException {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 2 + t.length + payload.length);
    b.put((byte) 0x30);
    putLength(b, 2 + t.length + payload.length);
    b.putShort((short) t.length).put(t).put(payload);
    send(b);
  }

  /** The next packet, or null when none arrived within the timeout. */
  Packet read(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    int header;
    try {
      header = in.read();
    } catch (SocketTimeoutException e) {
      return null;
    }
    if (header < 0) {
      throw new IOException("connection closed");
    }
    socket.setSoTimeout(10_000);
    int len = 0;
    int shift = 0;
    int b;
    do {
      b = in.readUnsignedByte();
      len |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    byte[] body = new byte[len];
    in.readFully(body);
    return new Packet(header >>> 4, body);
  }

  private void send(ByteBuffer b) throws IOException {
    out.write(b.array(), 0, b.position());
    out.flush();
  }

  private static void putLength(ByteBuffer b, int len) {
    do {
      int digit = len % 128;
      len /= 128;
      b.put((byte) (len > 0 ? digit | 0x80 : digit));
    } while (len > 0);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  record Packet(int type, byte[] body) {
    /** Topic of a PUBLISH. */
    String topic() {
      int len = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
      return new String(body, 2, len, StandardCharsets.UTF_8);
    }
  }
}
