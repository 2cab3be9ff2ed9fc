package io.meshmq.cluster;

import com.hazelcast.map.IMap;
import io.meshmq.broker.routing.Router;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wills of connected clients, by client id, in a Hazelcast map (one backup) with the node that holds
 * the connection: when a node dies, a survivor publishes the wills of its clients, after their will delay.
 */
final class WillRegistry {

  private static final Logger log = LoggerFactory.getLogger(WillRegistry.class);

  private final Vertx vertx;
  private final IMap<String, byte[]> map;
  private final String self;

  WillRegistry(Vertx vertx, IMap<String, byte[]> map, String self) {
    this.vertx = vertx;
    this.map = map;
    this.self = self;
  }

  void armed(WillMessage will) {
    byte[] encoded = encode(self, will);
    MaybeWritten.again(() -> map.setAsync(will.clientId(), encoded));
  }

  /** Forgets the will unless a newer one (another connection of the client id) replaced it. */
  void settled(WillMessage will) {
    byte[] mine = encode(self, will);
    vertx.executeBlocking(() -> MaybeWritten.removeIfSame(map, will.clientId(), mine), false);
  }

  /** Publishes, after their delay, the wills of the clients a departed node held (done by one survivor). */
  Future<Integer> publishWillsOf(String node, Router router) {
    return vertx.<List<WillMessage>>executeBlocking(() -> {
      List<WillMessage> due = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : map.entrySet()) {
        Decoded d = decode(e.getValue());
        if (d.node.equals(node) && MaybeWritten.removeIfSame(map, e.getKey(), e.getValue())) {
          due.add(d.will);
        }
      }
      return due;
    }, false).map(due -> {
      for (WillMessage w : due) {
        if (w.delaySeconds() <= 0) {
          router.publishWill(w.message());
        } else {
          vertx.setTimer(w.delaySeconds() * 1000, id -> router.publishWill(w.message()));
        }
      }
      if (!due.isEmpty()) {
        log.info("Publishing {} wills of clients of departed node {}", due.size(), node);
      }
      return due.size();
    });
  }

  private static byte[] encode(String node, WillMessage w) {
    Buffer b = Buffer.buffer(64 + w.payload().length);
    byte[] n = node.getBytes(StandardCharsets.UTF_8);
    b.appendInt(n.length).appendBytes(n);
    b.appendLong(w.token()).appendLong(w.delaySeconds()).appendLong(w.expirySeconds());
    MessageWire.write(b, new Message(w.topic(), w.payload(), w.qos(), w.retain(), w.properties(), w.clientId(),
        Message.NEVER, w.token()));
    return b.getBytes();
  }

  private static Decoded decode(byte[] bytes) {
    Buffer b = Buffer.buffer(bytes);
    int len = b.getInt(0);
    String node = new String(b.getBytes(4, 4 + len), StandardCharsets.UTF_8);
    int at = 4 + len;
    long token = b.getLong(at);
    long delay = b.getLong(at + 8);
    long expiry = b.getLong(at + 16);
    Message m = MessageWire.read(b, at + 24, new int[1]);
    return new Decoded(node, new WillMessage(m.topic(), m.payload(), m.qos(), m.retain(), m.properties(),
        m.publisherId(), delay, expiry, token));
  }

  private record Decoded(String node, WillMessage will) {
  }
}
