package io.meshmq.broker.session;

import io.meshmq.broker.auth.TopicGate;

/**
 * One subscription of one session, as stored in the node's subscription table.
 *
 * @param filter         the topic filter without any {@code $share/group/} prefix
 * @param shareGroup     the shared subscription group, or null for an ordinary subscription
 * @param subscriptionId MQTT 5 subscription identifier, 0 when none
 * @param gate           null, or what withholds the topics of the filter its client may not read (an ACL deny rule
 *                       under a granted wildcard): only such subscriptions cost an ACL look-up per message
 */
public record Subscription(Session session, String filter, String shareGroup, int qos, boolean noLocal,
                           boolean retainAsPublished, int retainHandling, int subscriptionId, TopicGate gate) {

  public Subscription(Session session, String filter, String shareGroup, int qos, boolean noLocal,
                      boolean retainAsPublished, int retainHandling, int subscriptionId) {
    this(session, filter, shareGroup, qos, noLocal, retainAsPublished, retainHandling, subscriptionId, null);
  }

  /** Whether a message on this topic, which the filter matches, may be delivered through this subscription. */
  public boolean admits(String topicName) {
    return gate == null || gate.admits(topicName);
  }

  /** The same subscription, narrowed by {@code newGate} (null: not narrowed). */
  public Subscription withGate(TopicGate newGate) {
    return new Subscription(session, filter, shareGroup, qos, noLocal, retainAsPublished, retainHandling,
        subscriptionId, newGate);
  }

  public String clientId() {
    return session.clientId();
  }

  public boolean isShared() {
    return shareGroup != null;
  }

  /** The filter as the client wrote it, which is also the key of the session's subscription map. */
  public String fullFilter() {
    return shareGroup == null ? filter : "$share/" + shareGroup + "/" + filter;
  }
}
