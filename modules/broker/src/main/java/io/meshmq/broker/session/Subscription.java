package io.meshmq.broker.session;

/**
 * One subscription of one session, as stored in the node's subscription table.
 *
 * @param filter         the topic filter without any {@code $share/group/} prefix
 * @param shareGroup     the shared subscription group, or null for an ordinary subscription
 * @param subscriptionId MQTT 5 subscription identifier, 0 when none
 */
public record Subscription(Session session, String filter, String shareGroup, int qos, boolean noLocal,
                           boolean retainAsPublished, int retainHandling, int subscriptionId) {

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
