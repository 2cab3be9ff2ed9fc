package io.meshmq.broker.it.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

/**
 * A TLS ClientHello written byte by byte, for what no JDK client will send any more: a client that offers nothing
 * newer than TLS 1.1. Returns the first bytes the server answers with (a ServerHello or an alert).
 */
final class RawTlsHello {

  static final int HANDSHAKE = 0x16;
  static final int ALERT = 0x15;
  static final int SERVER_HELLO = 0x02;
  static final int PROTOCOL_VERSION_ALERT = 70;

  private RawTlsHello() {
  }

  /** Sends a ClientHello offering at most {@code version} (0x0302 = TLS 1.1, 0x0303 = TLS 1.2); the reply's first bytes. */
  static byte[] exchange(int port, int version) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(clientHello(version));
      s.getOutputStream().flush();
      return readSome(s.getInputStream(), 7);
    }
  }

  private static byte[] readSome(InputStream in, int n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (out.size() < n) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        out.write(b);
      }
    } catch (SocketTimeoutException e) {
      // whatever came
    }
    return out.toByteArray();
  }

  private static byte[] clientHello(int version) {
    Bytes body = new Bytes().u16(version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    body.raw(random).u8(0); // no session id
    // ECDHE-ECDSA/RSA with AES-GCM (TLS 1.2) and AES-CBC-SHA (what a TLS 1.1 client offers)
    int[] suites = {0xC02B, 0xC02F, 0xC009, 0xC013, 0x002F};
    body.u16(suites.length * 2);
    for (int s : suites) {
      body.u16(s);
    }
    body.u8(1).u8(0); // compression: null only
    Bytes ext = new Bytes();
    ext.u16(0x000A).u16(6).u16(4).u16(0x0017).u16(0x001D); // supported_groups: secp256r1, x25519
    ext.u16(0x000B).u16(2).u8(1).u8(0); // ec_point_formats: uncompressed
    ext.u16(0x000D).u16(8).u16(6).u16(0x0403).u16(0x0804).u16(0x0401); // signature_algorithms
    body.u16(ext.size()).raw(ext.toByteArray());
    byte[] b = body.toByteArray();
    Bytes handshake = new Bytes().u8(0x01).u8(b.length >>> 16).u16(b.length & 0xFFFF).raw(b);
    byte[] h = handshake.toByteArray();
    return new Bytes().u8(HANDSHAKE).u16(0x0301).u16(h.length).raw(h).toByteArray();
  }

  private static final class Bytes extends ByteArrayOutputStream {
    Bytes u8(int v) {
      write(v);
      return this;
    }

    Bytes u16(int v) {
      write(v >>> 8);
      write(v & 0xFF);
      return this;
    }

    Bytes raw(byte[] b) {
      write(b, 0, b.length);
      return this;
    }
  }
}
