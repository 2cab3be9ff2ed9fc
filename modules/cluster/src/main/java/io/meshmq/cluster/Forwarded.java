package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;
import io.meshmq.core.message.Message;
import java.util.List;

/** What one node sends another for a published message: the message, and the shared groups it delivers for. */
record Forwarded(Message message, List<Delivery.ShareRef> shares) {
}
