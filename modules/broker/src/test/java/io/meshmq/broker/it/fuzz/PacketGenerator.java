package io.meshmq.broker.it.fuzz;

import static io.meshmq.broker.test.MqttPackets.AUTH;
import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.DISCONNECT;
import static io.meshmq.broker.test.MqttPackets.PINGRESP;
import static io.meshmq.broker.test.MqttPackets.PUBACK;
import static io.meshmq.broker.test.MqttPackets.PUBCOMP;
import static io.meshmq.broker.test.MqttPackets.PUBREC;
import static io.meshmq.broker.test.MqttPackets.PUBREL;
import static io.meshmq.broker.test.MqttPackets.SUBACK;
import static io.meshmq.broker.test.MqttPackets.UNSUBACK;
import static io.meshmq.broker.test.MqttPackets.V5;

import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.MqttPackets.Props;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Well-formed MQTT packets of every type (server-to-client types included: well-formed, but not for a broker to
 * receive) for one protocol version, with random fields drawn from small pools so that packets of one connection
 * and of different connections meet (same client ids, topics, packet ids). With {@code garbageProperties}, MQTT 5
 * property blocks are random bytes behind a correct length.
 */
final class PacketGenerator {

  private static final String[] TOPICS = {"a", "a/b", "a/b/c", "sensors/1/temp", "x", "$SYS/broker/uptime", "/",
      "a//b", "ünïcødé/topic", "fuzz/retained", "q/2", "long/" + "l".repeat(300)};
  private static final String[] FILTERS = {"#", "+", "a/#", "a/+/c", "+/+", "$share/g/a/#", "$share/h/+",
      "$SYS/#", "a/b", "x", "#/a", "a+", "$share//x", "$share/g", "", "sensors/+/temp", "fuzz/#"};
  private static final int TYPES = 16;

  private final Random random;
  private final int version;
  private final boolean garbageProperties;

  PacketGenerator(Random random, int version, boolean garbageProperties) {
    this.random = random;
    this.version = version;
    this.garbageProperties = garbageProperties;
  }

  /** A CONNECT with random flags, keep-alive, will, credentials and (MQTT 5) properties. */
  byte[] connect() {
    MqttPackets.Connect c = MqttPackets.connect(version)
        .clientId(random.nextInt(10) == 0 ? "" : "fuzz-" + random.nextInt(50))
        .cleanStart(random.nextBoolean())
        .keepAlive(random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(120));
    if (random.nextInt(4) == 0) {
      c.will(topic(), payload(), random.nextInt(3), random.nextBoolean());
      if (v5()) {
        c.willProperties(properties(new Props().fourByte(0x18, random.nextInt(3)).byteProperty(0x01, random.nextInt(2))));
      }
    }
    if (random.nextInt(5) == 0) {
      c.username("user" + random.nextInt(3));
      if (random.nextBoolean()) {
        c.password(payload());
      }
    }
    if (v5()) {
      c.properties(properties(new Props().fourByte(0x11, random.nextInt(5)).twoByte(0x21, 1 + random.nextInt(100))
          .fourByte(0x27, 64 + random.nextInt(100_000)).twoByte(0x22, random.nextInt(10))
          .userProperty("k", "v")));
    }
    return c.encode();
  }

  /** Any packet type, CONNECT included, chosen at random. */
  byte[] any() {
    return switch (random.nextInt(TYPES)) {
      case 0 -> MqttPackets.packet(0, 0, payload()); // reserved type
      case 1 -> connect();
      case 2 -> MqttPackets.packet(CONNACK, 0, v5() ? MqttPackets.bytes(0, 0, 0) : MqttPackets.bytes(0, 0));
      case 3, 4, 5 -> publish();
      case 6 -> ack(PUBACK);
      case 7 -> ack(PUBREC);
      case 8 -> ack(PUBREL);
      case 9 -> ack(PUBCOMP);
      case 10 -> subscribe();
      case 11 -> random.nextBoolean() ? MqttPackets.packet(SUBACK, 0, MqttPackets.bytes(0, 1, 0))
          : MqttPackets.packet(UNSUBACK, 0, MqttPackets.bytes(0, 1));
      case 12 -> MqttPackets.unsubscribe(version, packetId(), filter(), filter());
      case 13 -> random.nextBoolean() ? MqttPackets.pingreq() : MqttPackets.packet(PINGRESP, 0, new byte[0]);
      case 14 -> disconnect();
      default -> auth();
    };
  }

  private byte[] publish() {
    int qos = random.nextInt(3);
    byte[] props = null;
    if (v5()) {
      Props p = new Props();
      switch (random.nextInt(6)) {
        case 0 -> p.twoByte(0x23, 1 + random.nextInt(20)); // topic alias
        case 1 -> p.fourByte(0x02, random.nextInt(10)).byteProperty(0x01, random.nextInt(2));
        case 2 -> p.string(0x08, topic()).binary(0x09, payload());
        case 3 -> p.varInt(0x0B, 1 + random.nextInt(5)); // subscription identifier: a client must not send it
        case 4 -> p.string(0x03, "text/plain").userProperty("a", "b");
        default -> { }
      }
      props = properties(p);
    }
    byte[] topic = random.nextInt(10) == 0 && v5() ? new byte[0] : topic().getBytes(StandardCharsets.UTF_8);
    return MqttPackets.publish(version, topic, qos, random.nextInt(8) == 0, random.nextInt(8) == 0, packetId(), props,
        payload());
  }

  private byte[] ack(int type) {
    if (v5() && random.nextBoolean()) {
      int[] codes = {0x00, 0x10, 0x80, 0x83, 0x87, 0x92, 0x97, 0x99};
      return MqttPackets.ack(type, packetId(), codes[random.nextInt(codes.length)],
          properties(new Props().string(0x1F, "reason")));
    }
    return MqttPackets.ack(type, packetId());
  }

  private byte[] subscribe() {
    int n = 1 + random.nextInt(3);
    MqttPackets.Filter[] filters = new MqttPackets.Filter[n];
    for (int i = 0; i < n; i++) {
      filters[i] = MqttPackets.filter(filter(), v5() ? random.nextInt(64) : random.nextInt(4));
    }
    if (garbageProperties && v5()) {
      return MqttPackets.packet(MqttPackets.SUBSCRIBE, 2, MqttPackets.concat(MqttPackets.u16(packetId()),
          block(new Props()), MqttPackets.utf8(filter()), MqttPackets.bytes(random.nextInt(256))));
    }
    return MqttPackets.subscribe(version, packetId(), random.nextInt(3) == 0 ? 1 + random.nextInt(1000) : 0, filters);
  }

  private byte[] disconnect() {
    if (!v5()) {
      return MqttPackets.disconnect(version, 0);
    }
    int[] codes = {0x00, 0x04, 0x80, 0x81, 0x8E, 0x93};
    return MqttPackets.packet(DISCONNECT, 0, MqttPackets.concat(MqttPackets.bytes(codes[random.nextInt(codes.length)]),
        block(new Props().fourByte(0x11, random.nextInt(10)))));
  }

  private byte[] auth() {
    return MqttPackets.packet(AUTH, 0, MqttPackets.concat(MqttPackets.bytes(random.nextBoolean() ? 0x18 : 0x19),
        block(new Props().string(0x15, "SCRAM-SHA-1").binary(0x16, payload()))));
  }

  /** The content of an MQTT 5 property block, or random bytes instead if asked. */
  private byte[] properties(Props content) {
    byte[] c = content.bytes();
    if (garbageProperties) {
      c = new byte[random.nextInt(24)];
      random.nextBytes(c);
    }
    return c;
  }

  /** A whole property block: length, then content. */
  private byte[] block(Props content) {
    byte[] c = properties(content);
    return MqttPackets.concat(MqttPackets.varInt(c.length), c);
  }

  private boolean v5() {
    return version >= V5;
  }

  private String topic() {
    return TOPICS[random.nextInt(TOPICS.length)];
  }

  private String filter() {
    return FILTERS[random.nextInt(FILTERS.length)];
  }

  private int packetId() {
    return random.nextInt(12) == 0 ? 0 : 1 + random.nextInt(20);
  }

  private byte[] payload() {
    byte[] p = new byte[random.nextInt(4) == 0 ? random.nextInt(2048) : random.nextInt(32)];
    random.nextBytes(p);
    return p;
  }
}
