package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
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

  private static final int BACKUP_TIMEOUT_MILLIS = 1_000;

  @Test
  void aWriteWhoseBackupDoesNotAnswerIsNotDoneUntilItDoes() throws Exception {
    int portA = freePort();
    int portB = freePort();
    String cluster = "backup-" + UUID.randomUUID();
    Vertx vertx = Vertx.vertx();
    try (MemberProxy toA = new MemberProxy(portA); MemberProxy toB = new MemberProxy(portB)) {
      HazelcastInstance a = Hazelcast.newHazelcastInstance(config(cluster, portA, toA, toB));
      HazelcastInstance b = Hazelcast.newHazelcastInstance(config(cluster, portB, toB, toA));
      try {
        await("two members").atMost(Duration.ofSeconds(30)).until(() -> a.getCluster().getMembers().size() == 2);
        // The journal's entries go to a partition A owns: B holds the backup, and only the backup goes silent.
        String node = "node-a";
        LocalPartitionKey partitionKey = new LocalPartitionKey(a.getPartitionService(), node,
            a.getPartitionService().getPartitions().size());
        assertThat(a.getPartitionService().getPartition(partitionKey.get()).getOwner().localMember()).isTrue();
        IMap<JournalKey, byte[]> map = a.getMap("journal-" + node);
        SessionJournal journal = new SessionJournal(vertx, map, node, partitionKey, 1 << 20, 60_000, 0);
        journal.taken("c", 1, delivery("before")).await(20, TimeUnit.SECONDS);

        toA.stall();
        toB.stall();
        Future<Void> taken = journal.taken("c", 2, delivery("while the backup is silent"));
        await("a failed write, written again").atMost(Duration.ofSeconds(10)).until(() -> journal.writeRetries.sum() > 0);
        Thread.sleep(2 * BACKUP_TIMEOUT_MILLIS);
        assertThat(taken.isComplete()).as("reported done while its backup never answered").isFalse();

        toA.resume();
        toB.resume();
        taken.await(30, TimeUnit.SECONDS);
        assertThat(taken.succeeded()).isTrue();
        assertThat(map.size()).isEqualTo(2);
      } finally {
        b.getLifecycleService().terminate();
        a.getLifecycleService().terminate();
      }
    } finally {
      vertx.close();
    }
  }

  private static Config config(String cluster, int port, MemberProxy self, MemberProxy other) {
    Config c = new Config().setClusterName(cluster);
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
    c.setProperty("hazelcast.operation.backup.timeout.millis", String.valueOf(BACKUP_TIMEOUT_MILLIS));
    c.setProperty("hazelcast.max.no.heartbeat.seconds", "60");
    c.getNetworkConfig().setPort(port).setPortAutoIncrement(false).setPublicAddress("127.0.0.1:" + self.port());
    c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
        .addMember("127.0.0.1:" + self.port()).addMember("127.0.0.1:" + other.port());
    c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    return c;
  }

  private static Delivery delivery(String payload) {
    return Delivery.of(new Message("t", payload.getBytes(StandardCharsets.UTF_8), 1, false, null, "pub", Message.NEVER),
        1, false);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
