package io.meshmq.cluster;

import com.hazelcast.partition.PartitionAware;

/**
 * Key of one entry of a node's session journal. All entries of a node share a partition (its node id is the
 * partition key): a write is one operation on one partition, however many sessions it covers.
 */
record JournalKey(String node, long sequence) implements PartitionAware<String> {

  @Override
  public String getPartitionKey() {
    return node;
  }
}
