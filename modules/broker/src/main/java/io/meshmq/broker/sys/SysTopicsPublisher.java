package io.meshmq.broker.sys;

import io.meshmq.broker.BrokerNode;
import io.meshmq.core.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes this node's figures as retained messages every N seconds, under {@code $SYS/brokers/<node>/...}, one topic
 * per node and figure, so that the nodes of a cluster, which share one retained store, never overwrite each other's.
 * A standalone node also publishes them under Mosquitto's names, {@code $SYS/broker/...}, for the tools that read
 * those; in a cluster those names would mix the nodes' figures, and are not published.
 */
public final class SysTopicsPublisher {

  private final BrokerNode node;
  private final String version;
  private long timer = -1;

  public SysTopicsPublisher(BrokerNode node, String version) {
    this.node = node;
    this.version = version;
  }

  public void start(int intervalSeconds) {
    if (intervalSeconds <= 0) {
      return;
    }
    publishNow();
    timer = node.vertx().setPeriodic(intervalSeconds * 1000L, id -> publishNow());
  }

  public void stop() {
    if (timer >= 0) {
      node.vertx().cancelTimer(timer);
    }
  }

  /** The current values by topic. */
  public Map<String, String> snapshot() {
    Map<String, String> figures = figures();
    Map<String, String> v = new LinkedHashMap<>();
    String base = "$SYS/brokers/" + node.nodeId() + "/";
    figures.forEach((name, value) -> v.put(base + name, value));
    if (!node.cluster().isClustered()) {
      figures.forEach((name, value) -> v.put("$SYS/broker/" + name, value));
    }
    return v;
  }

  /** The node's figures by name (the topic's last levels). */
  private Map<String, String> figures() {
    BrokerStats s = node.stats();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("version", "MeshMQ " + version);
    v.put("uptime", ((System.currentTimeMillis() - node.startedAtMillis()) / 1000) + " seconds");
    v.put("clients/connected", String.valueOf(s.clientsConnected.sum()));
    v.put("clients/total", String.valueOf(node.sessions().size()));
    v.put("connections/total", String.valueOf(s.connectionsTotal.sum()));
    v.put("messages/received", String.valueOf(s.messagesReceived.sum()));
    v.put("messages/sent", String.valueOf(s.messagesSent.sum()));
    v.put("publish/messages/dropped", String.valueOf(s.droppedQueueFull.sum() + s.droppedQos0ForRoom.sum()
        + s.droppedExpired.sum() + s.droppedTooLarge.sum() + s.droppedQos0Unwritable.sum()));
    v.put("bytes/received", String.valueOf(s.bytesReceived.sum()));
    v.put("bytes/sent", String.valueOf(s.bytesSent.sum()));
    v.put("subscriptions/count", String.valueOf(node.subscriptions().size()));
    v.put("retained messages/count", String.valueOf(node.retained().size()));
    v.put("node", node.nodeId());
    return v;
  }

  private void publishNow() {
    for (Map.Entry<String, String> e : snapshot().entrySet()) {
      node.router().publishWill(new Message(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8), 0, true,
          null, null, Message.NEVER));
    }
  }
}
