package io.meshmq.broker.auth;

/**
 * Which topics a granted subscription may deliver, for a subscription whose filter also reaches topics its client
 * may not read (a wildcard over a denied topic). Asked on the message path for each message such a subscription
 * matches, from any event loop, so it must be fast, thread-safe and never block; subscriptions without one are
 * never asked anything.
 */
@FunctionalInterface
public interface TopicGate {

  boolean admits(String topicName);
}
