package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session journal against a real Hazelcast member: what a replay of the map finds after each kind of change,
 * that nothing is written for a message done before its batch left, that finished entries are deleted, and that
 * a waiting message is carried out of a finished entry.
 */
class SessionJournalTest {

  private static HazelcastInstance hz;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    Config c = new Config().setClusterName("journal-" + UUID.randomUUID());
    c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(false);
    c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    hz = Hazelcast.newHazelcastInstance(c);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    hz.shutdown();
  }

  private IMap<JournalKey, byte[]> map;
  private String node;

  private SessionJournal journal(int maxEntryBytes, long carryAfterMillis) {
    return journal(maxEntryBytes, carryAfterMillis, 0);
  }

  private SessionJournal journal(int maxEntryBytes, long carryAfterMillis, long lingerMillis) {
    node = "node-" + UUID.randomUUID();
    map = hz.getMap("journal-" + node);
    return new SessionJournal(vertx, map, node, () -> node, maxEntryBytes, carryAfterMillis, lingerMillis);
  }

  private static Delivery delivery(int qos, String payload) {
    return Delivery.of(new Message("t/" + payload, payload.getBytes(StandardCharsets.UTF_8), qos, false, null, "pub",
        Message.NEVER), qos, false);
  }

  /** The journal as a survivor would read it, for one client. */
  private SessionSnapshot replayed(String clientId) {
    TreeMap<Long, byte[]> ordered = new TreeMap<>();
    map.forEach((k, v) -> ordered.put(k.sequence(), v));
    JournalReplay replay = new JournalReplay();
    ordered.values().forEach(v -> replay.applyAll(JournalWire.decode(v)));
    return replay.session(new SessionSnapshot(clientId, 60, List.of(), List.of(), List.of(), Set.of()));
  }

  private static List<String> payloads(List<Delivery> ds) {
    return ds.stream().map(d -> new String(d.message().payload(), StandardCharsets.UTF_8)).toList();
  }

  /** Runs {@code work} in one turn of the journal's own context and returns what it returns. */
  private static <T> T onJournalContext(SessionJournal j, Supplier<T> work) throws Exception {
    Promise<T> p = Promise.promise();
    j.context().runOnContext(v -> p.complete(work.get()));
    return p.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aTakenMessageIsOnRecordOnceItsFutureCompletes() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Delivery d = delivery(1, "m1");
    j.taken("c", 1, d).await(10, TimeUnit.SECONDS);
    SessionSnapshot s = replayed("c");
    assertThat(payloads(s.queued())).containsExactly("m1");
    JournalWireTest.assertSameDelivery(s.queued().get(0), d);
    assertThat(j.entriesWritten.sum()).isEqualTo(1);
  }

  @Test
  void aMessageDoneBeforeItsBatchLeftIsNeverWritten() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Delivery d = delivery(1, "quick");
    Future<Void> taken = onJournalContext(j, () -> {
      Future<Void> f = j.taken("c", 1, d);
      j.done("c", d.message().id()); // the subscriber's PUBACK came before the batch was written
      return f;
    });
    taken.await(10, TimeUnit.SECONDS);
    assertThat(j.entriesWritten.sum()).isZero();
    assertThat(map.size()).isZero();
    assertThat(j.liveItems()).isZero();
  }

  @Test
  void aMessageAcknowledgedWithinTheLingerIsSafeAtOnceAndNeverWritten() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000, 2_000);
    Delivery quick = delivery(1, "acknowledged quickly");
    Delivery slow = delivery(1, "still waiting");
    Future<Void> quickSafe = j.taken("fast-subscriber", 1, quick);
    Future<Void> slowSafe = j.taken("slow-subscriber", 1, slow);
    long doneAt = System.nanoTime();
    j.done("fast-subscriber", quick.message().id());
    quickSafe.await(1, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - doneAt)).as("safe without waiting for the batch")
        .isLessThan(1_000);
    assertThat(slowSafe.isComplete()).as("the other one waits for its write").isFalse();
    slowSafe.await(10, TimeUnit.SECONDS);
    assertThat(j.recordsWritten.sum()).as("only the one still waiting is written").isEqualTo(1);
    assertThat(payloads(replayed("slow-subscriber").queued())).containsExactly("still waiting");
    assertThat(replayed("fast-subscriber").queued()).isEmpty();
  }

  @Test
  void manySessionsChangesInOneTurnAreOneEntryAndDoneMessagesLeaveNothingBehind() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Delivery d = delivery(1, "fan-out");
    List<Future<Void>> all = onJournalContext(j, () -> {
      List<Future<Void>> fs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        fs.add(j.taken("sub-" + i, 1, d));
      }
      return fs;
    });
    Future.all(all).await(10, TimeUnit.SECONDS);
    assertThat(j.entriesWritten.sum()).isEqualTo(1);
    assertThat(j.recordsWritten.sum()).isEqualTo(200);
    assertThat(payloads(replayed("sub-199").queued())).containsExactly("fan-out");
    for (int i = 0; i < 200; i++) {
      j.done("sub-" + i, d.message().id());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> map.isEmpty() && j.entryCount() == 0);
    assertThat(replayed("sub-0").queued()).isEmpty();
    assertThat(j.entriesDeleted.sum()).isEqualTo(j.entriesWritten.sum());
  }

  @Test
  void aDoneRecordKeepsItsEntryUntilTheEntryItUndoesIsGone() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Delivery kept = delivery(1, "kept");
    Delivery acked = delivery(1, "acked");
    // Both in one entry, so that the entry stays (for "kept") after "acked" is done.
    onJournalContext(j, () -> Future.all(j.taken("c", 1, kept), j.taken("c", 2, acked))).await(10, TimeUnit.SECONDS);
    assertThat(j.entriesWritten.sum()).isEqualTo(1);
    j.done("c", acked.message().id());
    await().atMost(Duration.ofSeconds(10)).until(() -> j.entriesWritten.sum() == 2);
    // The Done's entry holds nothing live, yet it stays: without it a replay would bring "acked" back.
    Thread.sleep(200);
    assertThat(j.entryCount()).isEqualTo(2);
    assertThat(payloads(replayed("c").queued())).containsExactly("kept");
    j.done("c", kept.message().id());
    await().atMost(Duration.ofSeconds(10)).until(() -> map.isEmpty());
  }

  @Test
  void qos2PacketIdsAndInboundIdsAreReplayed() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Delivery out = delivery(2, "q2");
    Delivery queued = delivery(2, "q2-queued");
    Future.all(j.taken("c", 1, out), j.taken("c", 2, queued), j.inboundHeld("c", 3), j.inboundHeld("c", 4))
        .await(10, TimeUnit.SECONDS);
    j.marked("c", out.message().id(), 7, false).await(10, TimeUnit.SECONDS);
    j.marked("c", out.message().id(), 7, true).await(10, TimeUnit.SECONDS);
    j.inboundReleased("c", 3).await(10, TimeUnit.SECONDS);
    SessionSnapshot s = replayed("c");
    assertThat(s.inflight()).hasSize(1);
    assertThat(s.inflight().get(0).packetId()).isEqualTo(7);
    assertThat(s.inflight().get(0).released()).isTrue();
    assertThat(payloads(s.queued())).containsExactly("q2-queued");
    assertThat(s.inboundQos2()).containsExactly(4);
  }

  @Test
  void aClearedClientHasNothingLeft() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    Future.all(j.taken("gone", 1, delivery(1, "a")), j.inboundHeld("gone", 9), j.taken("stays", 1, delivery(1, "b")))
        .await(10, TimeUnit.SECONDS);
    j.clear("gone");
    await().atMost(Duration.ofSeconds(10)).until(() -> replayed("gone").queued().isEmpty());
    assertThat(replayed("gone").inboundQos2()).isEmpty();
    assertThat(payloads(replayed("stays").queued())).containsExactly("b");
  }

  @Test
  void messagesAreReplayedInTheOrderTheSessionTookThem() throws Exception {
    SessionJournal j = journal(1 << 20, 60_000);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add("m" + i);
      j.taken("c", i, delivery(1, "m" + i)).await(10, TimeUnit.SECONDS); // one entry each
    }
    assertThat(j.entriesWritten.sum()).isGreaterThan(1);
    assertThat(payloads(replayed("c").queued())).containsExactlyElementsOf(expected);
  }

  @Test
  void aLargeBatchIsWrittenAsSeveralEntriesOfTheMaximumSize() throws Exception {
    SessionJournal j = journal(4096, 60_000);
    List<Future<Void>> all = onJournalContext(j, () -> {
      List<Future<Void>> fs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        fs.add(j.taken("c", i, delivery(1, "payload-" + i + "-" + "x".repeat(80))));
      }
      return fs;
    });
    Future.all(all).await(10, TimeUnit.SECONDS);
    assertThat(j.entriesWritten.sum()).isGreaterThan(5);
    map.values().forEach(v -> assertThat(v.length).isLessThan(4096 + 512));
    assertThat(replayed("c").queued()).hasSize(300);
  }

  @Test
  void aWaitingMessageIsCarriedOutOfAnOldFinishedEntrySoThatItGoes() throws Exception {
    SessionJournal j = journal(1 << 20, 300);
    Delivery waiting = delivery(1, "for-the-offline-one");
    List<Delivery> acked = new ArrayList<>();
    List<Future<Void>> all = onJournalContext(j, () -> {
      List<Future<Void>> fs = new ArrayList<>();
      fs.add(j.taken("offline", 1, waiting));
      for (int i = 0; i < 9; i++) {
        Delivery d = delivery(1, "acked-" + i);
        acked.add(d);
        fs.add(j.taken("online-" + i, 1, d));
      }
      return fs;
    });
    Future.all(all).await(10, TimeUnit.SECONDS);
    Set<JournalKey> first = Set.copyOf(map.keySet());
    acked.forEach(d -> j.done("online-" + acked.indexOf(d), d.message().id()));
    Thread.sleep(400); // the entry is old enough to carry its last live message forward
    j.taken("someone", 1, delivery(1, "later")).await(10, TimeUnit.SECONDS); // a write: the journal looks again
    await().atMost(Duration.ofSeconds(10)).until(() -> map.keySet().stream().noneMatch(first::contains));
    assertThat(payloads(replayed("offline").queued())).containsExactly("for-the-offline-one");
    assertThat(replayed("online-0").queued()).isEmpty();
    assertThat(map.keySet().stream().min(Comparator.comparingLong(JournalKey::sequence)).orElseThrow().sequence())
        .isGreaterThan(first.iterator().next().sequence());
  }
}
