package io.meshmq.broker.sys;

import io.meshmq.broker.BrokerNode;
import io.meshmq.core.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Publishes $SYS/broker/... as retained messages every N seconds. */
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
    BrokerStats s = node.stats();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("$SYS/broker/version", "MeshMQ " + version);
    v.put("$SYS/broker/uptime", ((System.currentTimeMillis() - node.startedAtMillis()) / 1000) + " seconds");
    v.put("$SYS/broker/clients/connected", String.valueOf(s.clientsConnected.sum()));
    v.put("$SYS/broker/clients/total", String.valueOf(node.sessions().size()));
    v.put("$SYS/broker/connections/total", String.valueOf(s.connectionsTotal.sum()));
    v.put("$SYS/broker/messages/received", String.valueOf(s.messagesReceived.sum()));
    v.put("$SYS/broker/messages/sent", String.valueOf(s.messagesSent.sum()));
    v.put("$SYS/broker/publish/messages/dropped", String.valueOf(s.droppedQueueFull.sum() + s.droppedQos0ForRoom.sum()
        + s.droppedExpired.sum() + s.droppedTooLarge.sum() + s.droppedQos0Unwritable.sum()));
    v.put("$SYS/broker/bytes/received", String.valueOf(s.bytesReceived.sum()));
    v.put("$SYS/broker/bytes/sent", String.valueOf(s.bytesSent.sum()));
    v.put("$SYS/broker/subscriptions/count", String.valueOf(node.subscriptions().size()));
    v.put("$SYS/broker/retained messages/count", String.valueOf(node.retained().size()));
    v.put("$SYS/broker/node", node.nodeId());
    return v;
  }

  private void publishNow() {
    for (Map.Entry<String, String> e : snapshot().entrySet()) {
      node.router().publishWill(new Message(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8), 0, true,
          null, null, Message.NEVER));
    }
  }
}
