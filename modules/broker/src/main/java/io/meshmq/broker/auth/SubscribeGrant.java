package io.meshmq.broker.auth;

/**
 * The authorizer's answer to a SUBSCRIBE of one filter: refused, granted for every topic it matches, or granted with
 * a {@link TopicGate} that withholds the topics the client may not read.
 *
 * @param gate null unless the grant is narrowed
 */
public record SubscribeGrant(boolean granted, TopicGate gate) {

  public static final SubscribeGrant REFUSED = new SubscribeGrant(false, null);
  public static final SubscribeGrant WHOLE = new SubscribeGrant(true, null);

  public static SubscribeGrant narrowed(TopicGate gate) {
    return new SubscribeGrant(true, gate);
  }

  public boolean isNarrowed() {
    return gate != null;
  }
}
