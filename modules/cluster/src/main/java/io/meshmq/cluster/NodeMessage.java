package io.meshmq.cluster;

import io.meshmq.broker.session.SessionSnapshot;
import io.meshmq.core.message.Delivery;
import java.util.List;

/**
 * What nodes tell each other on the clustered event bus: one sealed set of messages, one codec
 * ({@link NodeMessageCodec}), one dispatch ({@link NodeInbox}). Each goes to the {@link NodeBus#address} of one node.
 */
sealed interface NodeMessage permits Forwarded, NodeMessage.Kick, NodeMessage.HandOver, NodeMessage.Ready,
    NodeMessage.Adopt, NodeMessage.Deliver, NodeMessage.Recovered, NodeMessage.Merged, NodeMessage.Load,
    NodeMessage.Rebalance {

  /** The type, for the codec's tag and the inbox's switch. */
  enum Kind {
    FORWARD, KICK, HAND_OVER, READY, ADOPT, DELIVER, RECOVERED, MERGED, LOAD, REBALANCE
  }

  Kind kind();

  /** The client connected to another node with a clean start: end its session here (answered when ended). */
  record Kick(String clientId) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.KICK;
    }
  }

  /**
   * The client connected to node {@code to}: send it the session (the answer: {@link SessionWire} bytes, or null when
   * there is none here), and pass on what still arrives for it.
   */
  record HandOver(String clientId, String to) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.HAND_OVER;
    }
  }

  /** The session handed over has been installed on the sending node: the old node may stop passing messages on. */
  record Ready(String clientId) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.READY;
    }
  }

  /** A leaving node re-homes one of its sessions on the receiving node (answered once it is on its journal). */
  record Adopt(SessionSnapshot session) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.ADOPT;
    }
  }

  /** A message that arrived on a session's old node after the session moved to the receiving node. */
  record Deliver(String clientId, Delivery delivery) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.DELIVER;
    }
  }

  /** Node {@code adopter} recovered the sessions of {@code departed}: these clients, with these routes. */
  record Recovered(String departed, String adopter, List<String> routes, List<String> clients) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.RECOVERED;
    }
  }

  /** Node {@code node} has this many clients connected (every second, for {@link Rebalancer}). */
  record Load(String node, int connections) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.LOAD;
    }
  }

  /** An operator asked for the connections to be evened out now (node {@code requestedAt} took the request). */
  record Rebalance(String requestedAt) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.REBALANCE;
    }
  }

  /** Node {@code from} merged back after a split brain: reconcile routes and client ids. */
  record Merged(String from) implements NodeMessage {
    @Override
    public Kind kind() {
      return Kind.MERGED;
    }
  }
}
