package io.meshmq.broker.session;

import io.meshmq.core.message.Delivery;
import java.util.List;
import java.util.Set;

/**
 * Everything a persistent session carries from one node to another when its client reconnects elsewhere:
 * subscriptions, unacknowledged outbound messages with their packet ids, the queue, the inbound QoS 2 ids
 * awaiting PUBREL, and the expiry interval.
 */
public record SessionSnapshot(String clientId, long expirySeconds, List<SubscriptionSpec> subscriptions,
                              List<InflightEntry> inflight, List<Delivery> queued, Set<Integer> inboundQos2) {

  /** A subscription without its session. */
  public record SubscriptionSpec(String filter, String shareGroup, int qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionId) {

    static SubscriptionSpec of(Subscription s) {
      return new SubscriptionSpec(s.filter(), s.shareGroup(), s.qos(), s.noLocal(), s.retainAsPublished(),
          s.retainHandling(), s.subscriptionId());
    }

    Subscription bind(Session session) {
      return new Subscription(session, filter, shareGroup, qos, noLocal, retainAsPublished, retainHandling, subscriptionId);
    }
  }

  /** An outbound message in flight: its packet id, and whether PUBREC already came (only PUBREL is re-sent). */
  public record InflightEntry(int packetId, Delivery delivery, boolean released) {
  }
}
