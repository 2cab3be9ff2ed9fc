package io.meshmq.cluster;

import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;

/**
 * Two real Hazelcast members, each reached by the other through a {@link MemberProxy} relay, with
 * {@code fail.on.indeterminate.state} set as the broker sets it and a short backup time-out: stalling the relays makes
 * the backup of a write on {@link #a} go silent (as a stopped process's would) without either member being declared
 * dead, so the write fails as "maybe written".
 */
final class TwoMembersThroughRelays implements AutoCloseable {

  static final int BACKUP_TIMEOUT_MILLIS = 1_000;

  final HazelcastInstance a;
  final HazelcastInstance b;
  private final MemberProxy toA;
  private final MemberProxy toB;

  TwoMembersThroughRelays() throws Exception {
    int portA = freePort();
    int portB = freePort();
    String cluster = "relayed-" + UUID.randomUUID();
    toA = new MemberProxy(portA);
    toB = new MemberProxy(portB);
    a = Hazelcast.newHazelcastInstance(config(cluster, portA, toA, toB));
    b = Hazelcast.newHazelcastInstance(config(cluster, portB, toB, toA));
    await("two members").atMost(Duration.ofSeconds(30)).until(() -> a.getCluster().getMembers().size() == 2);
    // Partitions assigned and each backup in place: a key's owner and backup stay where they are for the test.
    a.getPartitionService().getPartition("any").getOwner();
    await("partitions and backups in place").atMost(Duration.ofSeconds(30))
        .until(() -> a.getPartitionService().isClusterSafe());
  }

  /** A key, made from {@code prefix}, whose partition {@link #a} owns (its backup is on {@link #b}). */
  String keyOwnedByA(String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (a.getPartitionService().getPartition(key).getOwner().localMember()) {
        return key;
      }
    }
  }

  /** The members stop hearing each other (their connections stay open). */
  void stall() {
    toA.stall();
    toB.stall();
  }

  void resume() {
    toA.resume();
    toB.resume();
  }

  @Override
  public void close() {
    b.getLifecycleService().terminate();
    a.getLifecycleService().terminate();
    toA.close();
    toB.close();
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

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
