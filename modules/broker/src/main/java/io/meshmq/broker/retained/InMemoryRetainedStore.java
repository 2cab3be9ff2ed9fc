package io.meshmq.broker.retained;

import io.meshmq.core.message.Message;
import io.meshmq.core.topic.TopicIndex;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** Retained messages of a single node, indexed by topic level for wildcard look-ups (no scans). */
public final class InMemoryRetainedStore implements RetainedStore {

  private final TopicIndex<Message> index = new TopicIndex<>();

  @Override
  public Future<Void> put(Message message) {
    if (message.payload().length == 0) {
      index.remove(message.topic());
    } else {
      index.put(message.topic(), message);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<List<Message>> match(String topicFilter) {
    long now = System.currentTimeMillis();
    List<Message> out = new ArrayList<>();
    index.match(topicFilter, m -> {
      if (!m.isExpired(now)) {
        out.add(m);
      }
    });
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Message> get(String topicName) {
    Message m = index.get(topicName);
    return Future.succeededFuture(m == null || m.isExpired(System.currentTimeMillis()) ? null : m);
  }

  @Override
  public int size() {
    int[] sys = {0};
    index.match("$SYS/#", m -> sys[0]++); // a few dozen topics at most
    return index.size() - sys[0];
  }
}
