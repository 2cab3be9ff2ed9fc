package io.meshmq.broker.connection;

import java.util.HashMap;
import java.util.Map;

/**
 * MQTT 5 topic aliases of one connection, both ways. Inbound: the client maps aliases (up to our Topic Alias
 * Maximum) to topics. Outbound: the broker assigns aliases to the first topics it sends, up to the client's
 * Topic Alias Maximum (and our own cap), and then sends those topics as an alias with an empty name.
 */
final class TopicAliases {

  /** Outcome of resolving an inbound alias. */
  enum Problem { NONE, ALIAS_OUT_OF_RANGE, UNKNOWN_ALIAS }

  // Both tables are allocated on first use: most clients never use aliases.
  private int inboundMax;
  private String[] inbound;
  private int outboundMax;
  private Map<String, Integer> outbound;
  private Problem problem = Problem.NONE;

  void configure(int inboundMax, int outboundMax) {
    this.inboundMax = inboundMax;
    this.outboundMax = outboundMax;
  }

  /** The topic a PUBLISH stands for, or null with {@link #problem()} set. */
  String resolveInbound(String topic, int alias) {
    if (alias <= 0 || alias > inboundMax) {
      problem = Problem.ALIAS_OUT_OF_RANGE;
      return null;
    }
    if (inbound == null) {
      inbound = new String[inboundMax + 1];
    }
    if (topic != null && !topic.isEmpty()) {
      inbound[alias] = topic;
      return topic;
    }
    String known = inbound[alias];
    if (known == null) {
      problem = Problem.UNKNOWN_ALIAS;
    }
    return known;
  }

  Problem problem() {
    return problem;
  }

  /**
   * The alias to send with this topic: positive when the client already knows it (send an empty topic name),
   * negative when it is new (send the topic name and the alias), 0 when no alias is to be used.
   */
  int outboundAlias(String topic) {
    if (outboundMax == 0) {
      return 0;
    }
    if (outbound == null) {
      outbound = new HashMap<>();
    }
    Integer known = outbound.get(topic);
    if (known != null) {
      return known;
    }
    if (outbound.size() >= outboundMax) {
      return 0;
    }
    int alias = outbound.size() + 1;
    outbound.put(topic, alias);
    return -alias;
  }
}
