package io.meshmq.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * Merges the client registry after a split brain: the later claim of a client id wins ({@link ClientClaim}),
 * to the millisecond, whichever side merges into which. Named by class in conf/hazelcast.yaml.
 */
public final class LatestClaimMergePolicy implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (merging == null) {
      return existing.getRawValue();
    }
    if (existing == null) {
      return merging.getRawValue();
    }
    return ClientClaim.wins(merging.getDeserializedValue(), existing.getDeserializedValue())
        ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // No state: every member builds the same policy.
  }

  @Override
  public void readData(ObjectDataInput in) {
    // No state.
  }
}
