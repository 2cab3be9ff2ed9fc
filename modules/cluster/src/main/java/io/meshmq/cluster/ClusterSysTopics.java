package io.meshmq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.meshmq.broker.BrokerNode;
import io.meshmq.core.message.Message;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's own {@code $SYS} topics: {@code $SYS/cluster/nodes} and {@code $SYS/cluster/clients/connected},
 * retained, every {@code sys.interval-seconds}, written by one node only (the oldest member) so that there is one
 * value per topic; and, when a node leaves, its {@code $SYS/brokers/<node>/...} figures go from the retained store
 * with it (the oldest member does that too), so that no departed node seems alive there.
 */
final class ClusterSysTopics {

  private static final Logger log = LoggerFactory.getLogger(ClusterSysTopics.class);
  /** The Hazelcast member attribute naming a member's broker node id (node.id), set in {@link HazelcastConfigs}. */
  static final String NODE_ATTRIBUTE = "meshmq.node";

  private final Vertx vertx;
  private final BrokerNode node;
  private final HazelcastInstance hz;
  private final Rebalancer loads;
  private long timer = -1;

  ClusterSysTopics(Vertx vertx, BrokerNode node, HazelcastInstance hz, Rebalancer loads) {
    this.vertx = vertx;
    this.node = node;
    this.hz = hz;
    this.loads = loads;
  }

  void start(int intervalSeconds) {
    if (intervalSeconds > 0) {
      timer = vertx.setPeriodic(intervalSeconds * 1000L, id -> publish());
    }
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** The cluster's figures by topic, as this node knows them. */
  Map<String, String> snapshot() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("$SYS/cluster/nodes", String.valueOf(hz.getCluster().getMembers().size()));
    v.put("$SYS/cluster/clients/connected",
        String.valueOf(loads.loads().values().stream().mapToLong(Integer::longValue).sum()));
    return v;
  }

  private void publish() {
    if (!oldest()) {
      return;
    }
    snapshot().forEach((topic, value) -> node.router().publishWill(
        new Message(topic, value.getBytes(StandardCharsets.UTF_8), 0, true, null, null, Message.NEVER)));
  }

  private boolean oldest() {
    try {
      return hz.getCluster().getMembers().iterator().next().localMember();
    } catch (RuntimeException e) {
      return false; // Hazelcast stopping under us
    }
  }

  /** Clears a departed node's {@code $SYS/brokers/<node>/...} retained figures (called on the oldest member). */
  void departed(Member member, String vertxNodeId) {
    String named = member.getAttribute(NODE_ATTRIBUTE);
    String id = named == null || named.isEmpty() ? vertxNodeId : named;
    node.retained().match("$SYS/brokers/" + id + "/#").onSuccess(messages -> {
      for (Message m : messages) {
        node.retained().put(Message.of(m.topic(), new byte[0], 0, true));
      }
      if (!messages.isEmpty()) {
        log.info("Cleared the {} $SYS figures of departed node {}", messages.size(), id);
      }
    });
  }
}
