package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import java.util.List;

/**
 * What one node sends another for a published message: the message, and the shared groups it delivers for.
 * {@code forwardId} names this forward: a copy sent again (the first was not answered in time) carries the same
 * id, and the receiving node routes it once.
 */
record Forwarded(long forwardId, Message message, List<Delivery.ShareRef> shares) implements NodeMessage {

  @Override
  public Kind kind() {
    return Kind.FORWARD;
  }
}
