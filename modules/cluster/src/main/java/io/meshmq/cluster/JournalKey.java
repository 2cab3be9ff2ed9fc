package io.meshmq.cluster;

import com.hazelcast.partition.PartitionAware;

/**
 * Key of one entry of a node's session journal. The node picks the partition key (one its member owns, see
 * {@link LocalPartitionKey}): a write is one operation on one partition, however many sessions it covers.
 */
record JournalKey(String node, String partitionKey, long sequence) implements PartitionAware<String> {

  @Override
  public String getPartitionKey() {
    return partitionKey;
  }
}
