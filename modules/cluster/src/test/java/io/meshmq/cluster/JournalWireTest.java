package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.meshmq.core.message.PublishProperties;
import io.meshmq.core.message.UserProperty;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Journal entries read back as written, whatever the records; a message taken by many sessions is written once. */
class JournalWireTest {

  @Property(tries = 300)
  void everyRecordReadsBackAsWritten(@ForAll("records") List<JournalRecord> records) {
    List<JournalRecord> back = JournalWire.decode(JournalWire.encode(records));
    assertThat(back).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      assertSame(back.get(i), records.get(i));
    }
  }

  @Property(tries = 50)
  void aMessageTakenByManySessionsCarriesItsPayloadOnce(@ForAll("messages") Message m) {
    Delivery d = Delivery.of(m, 1, false);
    byte[] one = JournalWire.encode(List.of(new JournalRecord.Take("c0", 1, d, 0, false)));
    byte[] hundred = JournalWire.encode(java.util.stream.IntStream.range(0, 100)
        .mapToObj(i -> (JournalRecord) new JournalRecord.Take("c" + i, i, d, 0, false)).toList());
    assertThat(hundred.length).isLessThan(one.length + 99 * 64);
  }

  private static void assertSame(JournalRecord actual, JournalRecord expected) {
    if (expected instanceof JournalRecord.Take t) {
      JournalRecord.Take a = (JournalRecord.Take) actual;
      assertThat(a.clientId()).isEqualTo(t.clientId());
      assertThat(a.sequence()).isEqualTo(t.sequence());
      assertThat(a.packetId()).isEqualTo(t.packetId());
      assertThat(a.released()).isEqualTo(t.released());
      assertSameDelivery(a.delivery(), t.delivery());
    } else {
      assertThat(actual).isEqualTo(expected);
    }
  }

  static void assertSameDelivery(Delivery actual, Delivery expected) {
    assertThat(actual.qos()).isEqualTo(expected.qos());
    assertThat(actual.retain()).isEqualTo(expected.retain());
    assertThat(actual.subscriptionIds()).containsExactly(expected.subscriptionIds());
    assertThat(actual.share()).isEqualTo(expected.share());
    Message a = actual.message();
    Message e = expected.message();
    assertThat(a.id()).isEqualTo(e.id());
    assertThat(a.topic()).isEqualTo(e.topic());
    assertThat(a.payload()).containsExactly(e.payload());
    assertThat(a.qos()).isEqualTo(e.qos());
    assertThat(a.retain()).isEqualTo(e.retain());
    assertThat(a.publisherId()).isEqualTo(e.publisherId());
    assertThat(a.expiresAtMillis()).isEqualTo(e.expiresAtMillis());
    assertThat(a.properties().contentType()).isEqualTo(e.properties().contentType());
    assertThat(a.properties().userProperties()).isEqualTo(e.properties().userProperties());
  }

  @Provide
  Arbitrary<List<JournalRecord>> records() {
    // One message per id, as in the broker: records of an entry share a few messages (written once, named after).
    return messages().list().ofMinSize(1).ofMaxSize(5).uniqueElements(Message::id).flatMap(this::recordsOf);
  }

  private Arbitrary<List<JournalRecord>> recordsOf(List<Message> pool) {
    Arbitrary<String> clients = Arbitraries.of("a", "b", "sensor/7", "é-client");
    Arbitrary<Long> ids = Arbitraries.longs().between(1, 5);
    Arbitrary<Integer> packetIds = Arbitraries.integers().between(0, 65_535);
    Arbitrary<Delivery> deliveries = Combinators.combine(Arbitraries.of(pool), Arbitraries.integers().between(1, 2),
        Arbitraries.of(true, false), Arbitraries.integers().between(0, 3).list().ofMaxSize(3),
        Arbitraries.of("g1", "").injectNull(0.7))
        .as((m, qos, retain, subIds, group) -> new Delivery(m, qos, retain,
            subIds.stream().mapToInt(Integer::intValue).toArray(),
            group == null ? null : new Delivery.ShareRef(group, "f/+")));
    Arbitrary<JournalRecord> take = Combinators.combine(clients, Arbitraries.longs(), deliveries, packetIds,
        Arbitraries.of(true, false)).as((c, seq, d, p, r) -> new JournalRecord.Take(c, seq, d, p, r));
    Arbitrary<JournalRecord> mark = Combinators.combine(clients, ids, packetIds, Arbitraries.of(true, false))
        .as(JournalRecord.Mark::new);
    Arbitrary<JournalRecord> done = Combinators.combine(clients, ids).as(JournalRecord.Done::new);
    Arbitrary<JournalRecord> held = Combinators.combine(clients, packetIds).as(JournalRecord.InboundHeld::new);
    Arbitrary<JournalRecord> released = Combinators.combine(clients, packetIds).as(JournalRecord.InboundReleased::new);
    Arbitrary<JournalRecord> clear = clients.map(JournalRecord.Clear::new);
    return Arbitraries.oneOf(take, take, mark, done, held, released, clear).list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<Message> messages() {
    Arbitrary<PublishProperties> props = Combinators.combine(Arbitraries.of("text/plain", "").injectNull(0.5),
        Arbitraries.strings().alpha().ofMaxLength(5).list().ofMaxSize(2))
        .as((ct, users) -> new PublishProperties(0, ct, null, null,
            users.stream().map(u -> new UserProperty(u, u + "!")).toList()));
    return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64), Arbitraries.integers().between(0, 2),
        Arbitraries.of(true, false), props, Arbitraries.longs().between(1, 5))
        .as((topic, payload, qos, retain, p, id) -> new Message(topic, payload, qos, retain, p, "pub",
            Message.NEVER, id));
  }
}
