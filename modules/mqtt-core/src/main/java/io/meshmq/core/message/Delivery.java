package io.meshmq.core.message;

/**
 * A message on its way to one subscriber: the shared {@link Message} plus what is particular to that
 * subscriber.
 *
 * @param qos             min(publish QoS, granted QoS)
 * @param retain          the RETAIN flag as this subscriber sees it (retained-on-subscribe, or retain-as-published)
 * @param subscriptionIds MQTT 5 subscription identifiers of every matching subscription; empty when none
 * @param share           the shared subscription it was delivered through, or null; such a message goes to
 *                        another member of the group if this one leaves before acknowledging it
 */
public record Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, ShareRef share) {

  private static final int[] NO_IDS = new int[0];

  public Delivery {
    if (subscriptionIds == null) {
      subscriptionIds = NO_IDS;
    }
  }

  public static Delivery of(Message message, int qos, boolean retain) {
    return new Delivery(message, qos, retain, NO_IDS, null);
  }

  public static int[] noSubscriptionIds() {
    return NO_IDS;
  }

  /** A shared subscription group on one filter. */
  public record ShareRef(String group, String filter) {
  }
}
