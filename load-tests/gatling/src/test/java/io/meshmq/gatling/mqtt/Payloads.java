package io.meshmq.gatling.mqtt;

import java.nio.ByteBuffer;

/** Payloads carrying their publish time: 4 bytes "MQTS", 8 bytes epoch millis, zero padding up to the size. */
public final class Payloads {
  private static final int MAGIC = 0x4d515453; // "MQTS"
  public static final int HEADER = 12;

  private Payloads() {}

  public static byte[] timestamped(int size, long nowMillis) {
    byte[] bytes = new byte[Math.max(size, HEADER)];
    ByteBuffer.wrap(bytes).putInt(MAGIC).putLong(nowMillis);
    return bytes;
  }

  public static long timestamp(byte[] payload) {
    if (payload == null || payload.length < HEADER) {
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(payload);
    return b.getInt() == MAGIC ? b.getLong() : -1;
  }
}
