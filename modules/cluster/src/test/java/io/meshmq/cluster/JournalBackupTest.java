package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A journal write counts only once its backup has it. Two real members linked through relays; the member that
 * holds the backup stops answering (its link stalls, as a stopped process's would) for longer than the backup
 * time-out but shorter than the member time-out: the write is not reported done while the backup is silent
 * (Hazelcast's default would report it done after the time-out), it is written again, and it completes once the
 * backup answers.
 */
class JournalBackupTest {

  @Test
  void aWriteWhoseBackupDoesNotAnswerIsNotDoneUntilItDoes() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TwoMembersThroughRelays members = new TwoMembersThroughRelays()) {
      HazelcastInstance a = members.a;
      // The journal's entries go to a partition A owns: B holds the backup, and only the backup goes silent.
      String node = "node-a";
      LocalPartitionKey partitionKey = new LocalPartitionKey(a.getPartitionService(), node,
          a.getPartitionService().getPartitions().size());
      assertThat(a.getPartitionService().getPartition(partitionKey.get()).getOwner().localMember()).isTrue();
      IMap<JournalKey, byte[]> map = a.getMap("journal-" + node);
      SessionJournal journal = new SessionJournal(vertx, map, node, partitionKey, 1 << 20, 60_000, 0);
      journal.taken("c", 1, delivery("before")).await(20, TimeUnit.SECONDS);

      members.stall();
      Future<Void> taken = journal.taken("c", 2, delivery("while the backup is silent"));
      await("a failed write, written again").atMost(Duration.ofSeconds(10)).until(() -> journal.writeRetries.sum() > 0);
      Thread.sleep(2 * TwoMembersThroughRelays.BACKUP_TIMEOUT_MILLIS);
      assertThat(taken.isComplete()).as("reported done while its backup never answered").isFalse();

      members.resume();
      taken.await(30, TimeUnit.SECONDS);
      assertThat(taken.succeeded()).isTrue();
      assertThat(map.size()).isEqualTo(2);
    } finally {
      vertx.close();
    }
  }

  private static Delivery delivery(String payload) {
    return Delivery.of(new Message("t", payload.getBytes(StandardCharsets.UTF_8), 1, false, null, "pub", Message.NEVER),
        1, false);
  }
}
