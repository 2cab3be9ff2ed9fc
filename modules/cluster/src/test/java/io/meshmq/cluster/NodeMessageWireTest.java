package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every wire form between nodes reads back as written: each kind of {@link NodeMessage} through its codec (at an
 * offset inside a larger buffer, as the event bus hands it over), and the {@link SessionWire} and
 * {@link MessageWire} forms it carries.
 */
class NodeMessageWireTest {

  private final NodeMessageCodec codec = new NodeMessageCodec();
  private final JournalWireTest journal = new JournalWireTest();

  @Property(tries = 300)
  void everyNodeMessageReadsBackAsWritten(@ForAll("nodeMessages") NodeMessage m) {
    Buffer wire = Buffer.buffer().appendBytes(new byte[] {9, 9, 9});
    codec.encodeToWire(wire, m);
    wire.appendByte((byte) 7);
    NodeMessage back = codec.decodeFromWire(3, wire);
    assertThat(back.kind()).isEqualTo(m.kind());
    assertSame(back, m);
  }

  @Property(tries = 200)
  void aSessionReadsBackAsWritten(@ForAll("sessions") SessionSnapshot s) {
    assertSameSession(SessionWire.decode(SessionWire.encode(s)), s);
  }

  @Property(tries = 200)
  void aMessageReadsBackAsWritten(@ForAll("messages") Message m) {
    assertSameMessage(MessageWire.fromBytes(MessageWire.toBytes(m)), m);
  }

  private static void assertSame(NodeMessage actual, NodeMessage expected) {
    if (expected instanceof Forwarded f) {
      Forwarded a = (Forwarded) actual;
      assertThat(a.forwardId()).isEqualTo(f.forwardId());
      assertThat(a.shares()).isEqualTo(f.shares());
      assertSameMessage(a.message(), f.message());
    } else if (expected instanceof NodeMessage.Adopt adopt) {
      assertSameSession(((NodeMessage.Adopt) actual).session(), adopt.session());
    } else if (expected instanceof NodeMessage.Deliver d) {
      assertThat(((NodeMessage.Deliver) actual).clientId()).isEqualTo(d.clientId());
      JournalWireTest.assertSameDelivery(((NodeMessage.Deliver) actual).delivery(), d.delivery());
    } else {
      assertThat(actual).isEqualTo(expected);
    }
  }

  private static void assertSameMessage(Message actual, Message expected) {
    JournalWireTest.assertSameDelivery(Delivery.of(actual, actual.qos(), actual.retain()),
        Delivery.of(expected, expected.qos(), expected.retain()));
  }

  private static void assertSameSession(SessionSnapshot actual, SessionSnapshot expected) {
    assertThat(actual.clientId()).isEqualTo(expected.clientId());
    assertThat(actual.expirySeconds()).isEqualTo(expected.expirySeconds());
    assertThat(actual.subscriptions()).isEqualTo(expected.subscriptions());
    assertThat(actual.inboundQos2()).isEqualTo(expected.inboundQos2());
    assertThat(actual.inflight()).hasSameSizeAs(expected.inflight());
    for (int i = 0; i < expected.inflight().size(); i++) {
      assertThat(actual.inflight().get(i).packetId()).isEqualTo(expected.inflight().get(i).packetId());
      assertThat(actual.inflight().get(i).released()).isEqualTo(expected.inflight().get(i).released());
      JournalWireTest.assertSameDelivery(actual.inflight().get(i).delivery(), expected.inflight().get(i).delivery());
    }
    assertThat(actual.queued()).hasSameSizeAs(expected.queued());
    for (int i = 0; i < expected.queued().size(); i++) {
      JournalWireTest.assertSameDelivery(actual.queued().get(i), expected.queued().get(i));
    }
  }

  @Provide
  Arbitrary<NodeMessage> nodeMessages() {
    Arbitrary<String> ids = Arbitraries.of("a", "sensor/7", "é-client", "node-1b2c", "");
    Arbitrary<Delivery.ShareRef> shares = Combinators.combine(Arbitraries.of("g1", "group é"), Arbitraries.of("f/+", "#"))
        .as(Delivery.ShareRef::new);
    Arbitrary<NodeMessage> forward = Combinators.combine(Arbitraries.longs(), messages(), shares.list().ofMaxSize(3))
        .as(Forwarded::new);
    Arbitrary<NodeMessage> kick = ids.map(NodeMessage.Kick::new);
    Arbitrary<NodeMessage> handOver = Combinators.combine(ids, ids).as(NodeMessage.HandOver::new);
    Arbitrary<NodeMessage> ready = ids.map(NodeMessage.Ready::new);
    Arbitrary<NodeMessage> adopt = sessions().map(NodeMessage.Adopt::new);
    Arbitrary<NodeMessage> deliver = Combinators.combine(ids, deliveries()).as(NodeMessage.Deliver::new);
    Arbitrary<NodeMessage> recovered = Combinators.combine(ids, ids, ids.list().ofMaxSize(4), ids.list().ofMaxSize(4))
        .as(NodeMessage.Recovered::new);
    Arbitrary<NodeMessage> merged = ids.map(NodeMessage.Merged::new);
    Arbitrary<NodeMessage> load = Combinators.combine(ids, Arbitraries.integers().between(0, Integer.MAX_VALUE))
        .as(NodeMessage.Load::new);
    Arbitrary<NodeMessage> rebalance = ids.map(NodeMessage.Rebalance::new);
    return Arbitraries.oneOf(forward, kick, handOver, ready, adopt, deliver, recovered, merged, load, rebalance);
  }

  @Provide
  Arbitrary<SessionSnapshot> sessions() {
    Arbitrary<SessionSnapshot.SubscriptionSpec> subs = Combinators.combine(Arbitraries.of("a/b", "+/x/#", "é/#"),
        Arbitraries.of("g", "shared group").injectNull(0.6), Arbitraries.integers().between(0, 2),
        Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 268_435_455))
        .as(SessionSnapshot.SubscriptionSpec::new);
    Arbitrary<SessionSnapshot.InflightEntry> inflight = Combinators.combine(Arbitraries.integers().between(1, 65_535),
        deliveries(), Arbitraries.of(true, false)).as(SessionSnapshot.InflightEntry::new);
    return Combinators.combine(Arbitraries.of("c1", "sensor/é"), Arbitraries.longs().between(0, 4_294_967_295L),
        subs.list().ofMaxSize(4), inflight.list().ofMaxSize(4), deliveries().list().ofMaxSize(4),
        Arbitraries.integers().between(1, 65_535).set().ofMaxSize(4))
        .as((id, expiry, s, in, q, inbound) -> new SessionSnapshot(id, expiry, s, in, q, new HashSet<>(inbound)));
  }

  @Provide
  Arbitrary<Message> messages() {
    return journal.messages();
  }

  private Arbitrary<Delivery> deliveries() {
    return Combinators.combine(messages(), Arbitraries.integers().between(0, 2), Arbitraries.of(true, false),
        Arbitraries.integers().between(1, 9).list().ofMaxSize(2), Arbitraries.of("g").injectNull(0.7))
        .as((m, qos, retain, subIds, group) -> new Delivery(m, qos, retain,
            subIds.stream().mapToInt(Integer::intValue).toArray(),
            group == null ? null : new Delivery.ShareRef(group, "f/#")));
  }
}
