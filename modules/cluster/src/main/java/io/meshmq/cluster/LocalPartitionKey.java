package io.meshmq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import java.util.function.Supplier;

/**
 * A partition key for a node's journal entries whose partition this member owns, when it owns any: a write is
 * then executed here and only its backup crosses the network (one round trip instead of two). Checked before each
 * write (a local look-up); a new key is picked when a migration moved the partition away. A member that owns no
 * partition yet (right after it joined) uses its first key wherever that lands.
 */
final class LocalPartitionKey implements Supplier<String> {

  private final PartitionService partitions;
  private final String node;
  private final int candidates;
  private String current;

  LocalPartitionKey(PartitionService partitions, String node, int partitionCount) {
    this.partitions = partitions;
    this.node = node;
    // Enough tries to hit each of the member's partitions with high probability.
    this.candidates = 8 * partitionCount;
    this.current = node + "#0";
  }

  @Override
  public synchronized String get() {
    if (isLocal(current)) {
      return current;
    }
    for (int k = 0; k < candidates; k++) {
      String key = node + "#" + k;
      if (isLocal(key)) {
        current = key;
        return key;
      }
    }
    return current;
  }

  private boolean isLocal(String key) {
    Partition p = partitions.getPartition(key);
    Member owner = p == null ? null : p.getOwner();
    return owner != null && owner.localMember();
  }
}
