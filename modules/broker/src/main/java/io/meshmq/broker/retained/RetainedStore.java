package io.meshmq.broker.retained;

import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import java.util.List;

/**
 * Retained messages: topic name -> last retained message. The in-memory store serves one node; the cluster
 * module provides a replicated one behind the same interface.
 */
public interface RetainedStore {

  /** Stores the message as the topic's retained message; an empty payload clears the topic. */
  Future<Void> put(Message message);

  /** Every retained message whose topic matches the filter (expired ones left out). */
  Future<List<Message>> match(String topicFilter);

  Future<Message> get(String topicName);

  /** Retained messages of clients' topics: the broker's own {@code $SYS} figures are not counted. */
  int size();
}
