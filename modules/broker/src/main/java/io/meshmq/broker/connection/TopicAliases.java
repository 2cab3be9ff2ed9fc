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

  /** The alias the client already knows for this topic, or 0. */
  int knownOutbound(String topic) {
    if (outbound == null) {
      return 0;
    }
    Integer known = outbound.get(topic);
    return known == null ? 0 : known;
  }

  /** Whether a new outbound alias can still be assigned. */
  boolean canAssignOutbound() {
    return outboundMax > 0 && (outbound == null || outbound.size() < outboundMax);
  }

  /** Assigns the next outbound alias to the topic (check {@link #canAssignOutbound()} first). */
  int assignOutbound(String topic) {
    if (outbound == null) {
      outbound = new HashMap<>();
    }
    int alias = outbound.size() + 1;
    outbound.put(topic, alias);
    return alias;
  }
}
