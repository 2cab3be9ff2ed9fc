package io.meshmq.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.retained.InMemoryRetainedStore;
import io.meshmq.broker.routing.ClusterLink;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox on its own, its connection a fake that writes down what it is given: the window and the queue, what a
 * re-attached connection gets again, and sends that wait for a record keeping their order. Runs on the test thread
 * (the owner executor runs tasks at once).
 */
class OutboxTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A connection that writes down what it is asked to send. */
  private static final class RecordingLink implements SessionLink {
    final List<String> sent = new ArrayList<>();

    @Override
    public boolean sendPublish(Delivery delivery, int packetId, boolean dup) {
      sent.add((dup ? "DUP " : "") + "PUBLISH " + packetId + " " + text(delivery));
      return true;
    }

    @Override
    public void sendPubrel(int packetId, boolean packetIdFound) {
      sent.add("PUBREL " + packetId);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void takenOver() {
    }
  }

  /** The records' side: what was reported done, and writes the test completes itself. */
  private static final class Records implements Outbox.Records {
    final List<String> done = new ArrayList<>();
    Promise<Void> pending;

    @Override
    public void done(Delivery d) {
      done.add(text(d));
    }

    @Override
    public Future<Void> sentUnder(Delivery d, int packetId, boolean released) {
      return pending == null ? null : pending.future();
    }
  }

  private static String text(Delivery d) {
    return new String(d.message().payload(), StandardCharsets.UTF_8);
  }

  private static Delivery d(int qos, String payload) {
    return Delivery.of(Message.of("t", payload.getBytes(StandardCharsets.UTF_8), qos, false), qos, false);
  }

  private final Records records = new Records();

  private Outbox outbox(int maxInflight, int maxQueued) {
    BrokerNode node = new BrokerNode(vertx, Settings.of(BrokerSettings.MAX_QUEUED_MESSAGES, maxQueued), "test",
        new InMemoryRetainedStore(), ClusterLink.STANDALONE, Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL);
    return new Outbox("client", node, Runnable::run, records, maxInflight, maxQueued);
  }

  @Test
  void sendsWithinTheWindowQueuesTheRestAndAnAcknowledgementLetsTheNextOneGo() {
    Outbox o = outbox(2, 10);
    RecordingLink link = new RecordingLink();
    o.attach(link, 2);
    for (String p : List.of("a", "b", "c", "d")) {
      o.send(d(1, p), false);
    }
    assertThat(link.sent).containsExactly("PUBLISH 1 a", "PUBLISH 2 b");
    assertThat(o.inflightCount()).isEqualTo(2);
    assertThat(o.queuedCount()).isEqualTo(2);
    assertThat(o.onPuback(1)).isTrue();
    assertThat(link.sent).endsWith("PUBLISH 3 c");
    assertThat(records.done).containsExactly("a");
    assertThat(o.onPuback(1)).as("an id no longer in flight").isFalse();
  }

  @Test
  void aConnectionAttachedAgainGetsTheUnacknowledgedWithDupThenTheQueue() {
    Outbox o = outbox(2, 10);
    RecordingLink first = new RecordingLink();
    o.attach(first, 2);
    o.send(d(2, "x"), false);
    o.send(d(1, "y"), false);
    assertThat(o.onPubrec(1, 0)).isTrue(); // x: PUBREC came, PUBREL went
    assertThat(first.sent).containsExactly("PUBLISH 1 x", "PUBLISH 2 y", "PUBREL 1");
    o.detach();
    o.send(d(1, "z"), false); // offline: queued
    assertThat(o.queuedCount()).isEqualTo(1);

    RecordingLink second = new RecordingLink();
    o.attach(second, 2);
    assertThat(second.sent).containsExactly("PUBREL 1", "DUP PUBLISH 2 y");
    assertThat(o.onPubcomp(1)).isTrue();
    assertThat(second.sent).endsWith("PUBLISH 3 z"); // packet ids go on counting
  }

  @Test
  void aFullQueueRefusesWhatNoPublisherWaitsForAndSaysItIsDone() {
    Outbox o = outbox(1, 2);
    for (String p : List.of("q1", "q2", "q3")) {
      o.send(d(1, p), false); // offline: into the queue
    }
    assertThat(o.queuedCount()).isEqualTo(2);
    assertThat(records.done).containsExactly("q3");
  }

  @Test
  void aPublishWaitingForItsRecordKeepsTheOrderOfWhatComesAfterIt() {
    Outbox o = outbox(5, 10);
    RecordingLink link = new RecordingLink();
    o.attach(link, 5);
    Promise<Void> recording = Promise.promise();
    records.pending = recording;
    o.send(d(2, "first"), false);
    records.pending = null;
    o.send(d(0, "second"), false);
    o.send(d(1, "third"), false);
    assertThat(link.sent).as("nothing overtakes the QoS 2 message whose packet id is being recorded").isEmpty();
    recording.complete();
    assertThat(link.sent).containsExactly("PUBLISH 1 first", "PUBLISH 0 second", "PUBLISH 2 third");
  }

  @Test
  void sharedMessagesNotYetReceivedAreHandedOnAndTheOthersStay() {
    Outbox o = outbox(1, 10);
    RecordingLink link = new RecordingLink();
    o.attach(link, 1);
    Delivery shared = new Delivery(Message.of("t", "s".getBytes(StandardCharsets.UTF_8), 1, false), 1, false, null,
        new Delivery.ShareRef("g", "t"));
    o.send(shared, false); // in flight
    o.send(d(1, "own"), false); // queued
    List<Delivery> moved = o.handOnShared(x -> x.share() != null, x -> true);
    assertThat(moved).containsExactly(shared);
    assertThat(o.inflightCount()).isZero();
    assertThat(o.queuedCount()).isEqualTo(1);
  }
}
