package io.meshmq.broker.sys;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Node-wide counters, updated from every event loop without contention, read by $SYS and metrics. */
public final class BrokerStats {

  public final LongAdder connectionsTotal = new LongAdder();
  public final LongAdder clientsConnected = new LongAdder();
  public final LongAdder messagesReceived = new LongAdder();
  public final LongAdder messagesSent = new LongAdder();
  public final LongAdder bytesReceived = new LongAdder();
  public final LongAdder bytesSent = new LongAdder();
  public final LongAdder publishReceived = new LongAdder();
  public final LongAdder publishSent = new LongAdder();
  /**
   * QoS 1/2 messages dropped because a session queue was full and the session could not hold their publishers back
   * (its client offline, the message forwarded by another node, or the client disconnected for falling behind).
   */
  public final LongAdder droppedQueueFull = new LongAdder();
  /** QoS 0 messages dropped for want of room in a full session queue (the oldest queued one, or the new one). */
  public final LongAdder droppedQos0ForRoom = new LongAdder();
  /** Messages whose MQTT 5 message expiry passed before they could be delivered. */
  public final LongAdder droppedExpired = new LongAdder();
  /** Messages larger than a client's Maximum Packet Size, never sent to it. */
  public final LongAdder droppedTooLarge = new LongAdder();
  /** QoS 0 messages not sent to a client whose socket was not writable. */
  public final LongAdder droppedQos0Unwritable = new LongAdder();
  /** Messages for a clean session whose client was already gone. */
  public final LongAdder droppedNoSession = new LongAdder();
  /** Clients disconnected because they did not read what was sent to them (see mqtt.slow-consumer.*). */
  public final LongAdder slowConsumerDisconnects = new LongAdder();
  public final LongAdder publishDenied = new LongAdder();
  /** QoS 1/2 PUBLISHes not acknowledged as delivered: a persistent session could not put them on record. */
  public final LongAdder publishNotSafe = new LongAdder();
  public final LongAdder protocolErrors = new LongAdder();
  /** CONNECTs answered with a successful CONNACK (their rate is the node's connects per second). */
  public final LongAdder connectsAccepted = new LongAdder();
  /**
   * Messages waiting in this node's session queues (client offline or its in-flight window full), kept up to date
   * by every queue on each change, so that reading the depth never walks the sessions.
   */
  public final LongAdder queuedMessages = new LongAdder();
  /** QoS 1/2 messages sent to this node's clients and not yet acknowledged, kept up to date like the queues. */
  public final LongAdder inflightMessages = new LongAdder();
  /** Time publishers' sockets spent paused by mqtt.max-publish-rate / mqtt.max-publish-bytes-rate, in nanoseconds. */
  public final LongAdder publishThrottledNanos = new LongAdder();
  /** Subscriptions removed because a changed ACL no longer allows them. */
  public final LongAdder subscriptionsRevoked = new LongAdder();

  private final LongAdder[] receivedByQos = {new LongAdder(), new LongAdder(), new LongAdder()};
  private final LongAdder[] sentByQos = {new LongAdder(), new LongAdder(), new LongAdder()};
  private final Map<Limit, LongAdder> limitsReached = adders(Limit.class);
  private final Map<AuthFailure, LongAdder> authFailures = adders(AuthFailure.class);

  /** Messages received from publishers at this QoS (0, 1 or 2); they are also in {@link #messagesReceived}. */
  public LongAdder receivedAtQos(int qos) {
    return receivedByQos[qos];
  }

  /** Messages sent to subscribers at this QoS (0, 1 or 2); they are also in {@link #messagesSent}. */
  public LongAdder sentAtQos(int qos) {
    return sentByQos[qos];
  }

  /** Counts one triggering of {@code limit}. */
  public void limitReached(Limit limit) {
    limitsReached.get(limit).increment();
  }

  public LongAdder limitReachedCounter(Limit limit) {
    return limitsReached.get(limit);
  }

  /** Counts one CONNECT refused by authentication. */
  public void authFailed(AuthFailure reason) {
    authFailures.get(reason).increment();
  }

  public LongAdder authFailureCounter(AuthFailure reason) {
    return authFailures.get(reason);
  }

  private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
    Map<E, LongAdder> map = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      map.put(e, new LongAdder());
    }
    return map;
  }
}
