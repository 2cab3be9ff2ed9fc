package io.meshmq.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.meshmq.broker.retained.RetainedStore;
import io.meshmq.core.message.Message;
import io.meshmq.core.topic.TopicIndex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Retained messages in a Hazelcast map (topic -> message in {@link MessageWire} form, one backup), plus a
 * local index of the retained topic names, kept current by entry events, so that a wildcard subscription
 * finds its topics without a predicate scan and then fetches just those entries. An MQTT 5 message expiry
 * becomes the entry's time to live.
 */
final class HazelcastRetainedStore implements RetainedStore {

  private final Vertx vertx;
  private final IMap<String, byte[]> map;
  private final TopicIndex<String> names = new TopicIndex<>();
  private UUID listener;

  HazelcastRetainedStore(Vertx vertx, IMap<String, byte[]> map) {
    this.vertx = vertx;
    this.map = map;
  }

  Future<Void> start() {
    listener = map.addEntryListener(new NameIndex(), false);
    return vertx.executeBlocking(() -> {
      for (String topic : map.keySet()) {
        names.put(topic, topic);
      }
      return null;
    }, false);
  }

  void stop() {
    if (listener != null) {
      map.removeEntryListener(listener);
    }
  }

  @Override
  public Future<Void> put(Message message) {
    String topic = message.topic();
    if (message.payload().length == 0) {
      names.remove(topic);
      return MaybeWritten.again(() -> map.deleteAsync(topic)).mapEmpty();
    }
    names.put(topic, topic);
    byte[] bytes = MessageWire.toBytes(message);
    if (message.expires()) {
      long ttl = Math.max(1, message.expiresAtMillis() - System.currentTimeMillis());
      return MaybeWritten.again(() -> map.setAsync(topic, bytes, ttl, TimeUnit.MILLISECONDS));
    }
    return MaybeWritten.again(() -> map.setAsync(topic, bytes));
  }

  @Override
  public Future<List<Message>> match(String topicFilter) {
    Set<String> topics = new HashSet<>();
    names.match(topicFilter, topics::add);
    if (topics.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return vertx.executeBlocking(() -> {
      long now = System.currentTimeMillis();
      List<Message> out = new ArrayList<>(topics.size());
      for (Map.Entry<String, byte[]> e : map.getAll(topics).entrySet()) {
        Message m = MessageWire.fromBytes(e.getValue());
        if (!m.isExpired(now)) {
          out.add(m);
        }
      }
      return out;
    }, false);
  }

  @Override
  public Future<Message> get(String topicName) {
    return Future.fromCompletionStage(map.getAsync(topicName))
        .map(bytes -> {
          if (bytes == null) {
            return null;
          }
          Message m = MessageWire.fromBytes(bytes);
          return m.isExpired(System.currentTimeMillis()) ? null : m;
        });
  }

  @Override
  public int size() {
    int[] sys = {0};
    names.match("$SYS/#", n -> sys[0]++); // a few dozen topics per node at most
    return names.size() - sys[0];
  }

  private final class NameIndex implements EntryAddedListener<String, byte[]>, EntryRemovedListener<String, byte[]>,
      EntryEvictedListener<String, byte[]>, EntryExpiredListener<String, byte[]> {

    @Override
    public void entryAdded(EntryEvent<String, byte[]> e) {
      names.put(e.getKey(), e.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, byte[]> e) {
      names.remove(e.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, byte[]> e) {
      names.remove(e.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, byte[]> e) {
      names.remove(e.getKey());
    }
  }
}
