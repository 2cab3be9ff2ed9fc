package io.meshmq.broker.it.fuzz;

import io.meshmq.broker.test.MqttPackets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Breaks well-formed packets the ways a faulty or hostile client would: flipped bits, cut packets, a wrong or
 * invalid remaining length, a changed type or flags nibble, two packets spliced, plain random bytes; and, on a
 * connection's sequence of packets, duplicates and swaps.
 */
final class Mutator {

  enum Kind { BIT_FLIP, TRUNCATE, LENGTH, HEADER, SPLICE, RANDOM_BYTES }

  private final Random random;

  Mutator(Random random) {
    this.random = random;
  }

  byte[] mutate(byte[] packet, byte[] other) {
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    return switch (kind) {
      case BIT_FLIP -> flipBits(packet);
      case TRUNCATE -> Arrays.copyOf(packet, random.nextInt(Math.max(1, packet.length)));
      case LENGTH -> corruptLength(packet);
      case HEADER -> withHeader(packet, random.nextInt(256));
      case SPLICE -> MqttPackets.concat(Arrays.copyOf(packet, random.nextInt(packet.length + 1)),
          Arrays.copyOfRange(other, random.nextInt(other.length + 1), other.length));
      case RANDOM_BYTES -> randomBytes();
    };
  }

  /** Duplicates one packet in place, or swaps two, in the connection's sequence (already mutated or not). */
  void shuffle(List<byte[]> packets) {
    if (packets.size() < 2) {
      return;
    }
    int i = random.nextInt(packets.size());
    if (random.nextBoolean()) {
      packets.add(i, packets.get(i));
    } else {
      Collections.swap(packets, i, random.nextInt(packets.size()));
    }
  }

  private byte[] flipBits(byte[] packet) {
    byte[] p = packet.clone();
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      int i = random.nextInt(p.length);
      p[i] ^= (byte) (1 << random.nextInt(8));
    }
    return p;
  }

  /** Replaces the remaining length: off by a little, far too large, or longer than the four bytes allowed. */
  private byte[] corruptLength(byte[] packet) {
    int lengthBytes = 1;
    while (lengthBytes < 4 && lengthBytes < packet.length - 1 && (packet[lengthBytes] & 0x80) != 0) {
      lengthBytes++;
    }
    byte[] body = Arrays.copyOfRange(packet, Math.min(packet.length, 1 + lengthBytes), packet.length);
    byte[] length = switch (random.nextInt(3)) {
      case 0 -> MqttPackets.varInt(Math.max(0, body.length + random.nextInt(7) - 3));
      case 1 -> MqttPackets.varInt(random.nextInt(268_435_456));
      default -> MqttPackets.bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
    };
    return MqttPackets.concat(new byte[] {packet[0]}, length, body);
  }

  private static byte[] withHeader(byte[] packet, int header) {
    byte[] p = packet.clone();
    p[0] = (byte) header;
    return p;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[1 + random.nextInt(100)];
    random.nextBytes(b);
    return b;
  }
}
