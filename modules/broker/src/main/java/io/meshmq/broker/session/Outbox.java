package io.meshmq.broker.session;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.sys.Limit;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.session.InflightMessage;
import io.meshmq.core.session.MessageQueue;
import io.meshmq.core.session.OutboundWindow;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * What a session has for its client: the in-flight window (QoS 1/2 messages sent and not yet acknowledged, with
 * their packet ids), the queue behind it, the messages whose publishers wait for room in a full queue, and the
 * order of sends that wait for a record. Sends through the attached connection, if any; keeps everything while
 * there is none. Owner context only.
 */
final class Outbox {

  /** What the outbox tells the session's records (see {@link SessionRecords}). */
  interface Records {
    /** The message left the session (acknowledged, dropped, expired). */
    void done(Delivery d);

    /** A QoS 2 message went out under {@code packetId}: what its PUBLISH (PUBREL) waits for; null: nothing. */
    Future<Void> sentUnder(Delivery d, int packetId, boolean released);
  }

  private final String clientId;
  private final BrokerNode node;
  private final Executor onOwner;
  private final Records records;
  private final OutboundWindow window;
  private final MessageQueue queue;
  private SessionLink link;
  /** Messages whose publishers wait for room in the queue of this connected session (allocated on first need). */
  private WaitingForRoom waiting;
  private long waitingTimer = -1;
  /** Sends that wait for a session-store write keep their order (allocated on first need). */
  private OrderedActions ordered;

  Outbox(String clientId, BrokerNode node, Executor onOwner, Records records, int maxInflight, int maxQueued) {
    this.clientId = clientId;
    this.node = node;
    this.onOwner = onOwner;
    this.records = records;
    this.window = new OutboundWindow(maxInflight, node.stats().inflightMessages);
    this.queue = new MessageQueue(maxQueued, node.settings().get(BrokerSettings.MAX_QUEUED_BYTES),
        node.stats().queuedMessages);
  }

  /** The connection attached now, or null. */
  SessionLink link() {
    return link;
  }

  /**
   * A connection is attached: the window takes its size, every unacknowledged message is sent again (PUBLISH with DUP,
   * or PUBREL), then what queued up while the client was away.
   */
  void attach(SessionLink newLink, int inflightWindow) {
    link = newLink;
    window.setCapacity(inflightWindow);
    for (InflightMessage m : window.inOrder()) {
      if (m.stage() == InflightMessage.Stage.RELEASED) {
        link.sendPubrel(m.packetId(), true);
      } else if (!link.sendPublish(m.delivery(), m.packetId(), true)) {
        window.drop(m.packetId());
        records.done(m.delivery());
      }
    }
    pump();
  }

  /** The connection is gone (its client, a takeover, a move): everything is kept for the next one. */
  void detach() {
    link = null;
  }

  /**
   * A message for the client: sent now if the connection and the window allow, else queued (bounded, see
   * MessageQueue); the returned future (null: nothing) is what a waiting publisher waits for (see
   * {@link Session#deliver(Delivery, boolean)}).
   */
  Future<Void> send(Delivery d, boolean publisherWaits) {
    if (link != null && queue.isEmpty()) {
      if (d.qos() == 0) {
        sendQos0(d);
        return null;
      }
      if (window.hasRoom()) {
        sendInflight(d);
        return null;
      }
    }
    if (link != null && d.qos() > 0) {
      // Online, yet it has to wait: the in-flight window is full (or messages are already waiting for it).
      node.stats().limitReached(Limit.MAX_INFLIGHT);
    }
    return enqueue(d, publisherWaits);
  }

  /** A message restored in flight under its packet id (the session came from another node). */
  void restoreInflight(int packetId, Delivery d, boolean released) {
    window.restore(packetId, d, released ? InflightMessage.Stage.RELEASED : InflightMessage.Stage.PUBLISHED);
  }

  /** Empties the window: its messages, in order, with their packet ids and PUBREC state (the session moves). */
  List<SessionSnapshot.InflightEntry> drainInflight() {
    List<SessionSnapshot.InflightEntry> inflight = new ArrayList<>();
    for (InflightMessage m : window.drain()) {
      inflight.add(new SessionSnapshot.InflightEntry(m.packetId(), m.delivery(), m.stage() == InflightMessage.Stage.RELEASED));
    }
    return inflight;
  }

  /** How many messages the queue takes at most. */
  int queueCapacity() {
    return queue.capacity();
  }

  /** Empties the queue (the session moves). */
  List<Delivery> drainQueue() {
    return queue.drain();
  }

  /** Empties window and queue (the session ends); returns how many messages they held. */
  int dropAll() {
    return queue.drain().size() + window.drain().size();
  }

  /**
   * Takes out the messages that came through shared subscriptions and are not yet received by the client (sent and
   * unacknowledged, or queued) that {@code handOn} takes (another member of their group); returns them.
   */
  List<Delivery> handOnShared(Predicate<Delivery> ofGroup, Predicate<Delivery> handOn) {
    List<Delivery> moved = new ArrayList<>();
    for (InflightMessage m : window.inOrder()) {
      Delivery d = m.delivery();
      if (m.stage() == InflightMessage.Stage.PUBLISHED && ofGroup.test(d) && handOn.test(d)) {
        window.drop(m.packetId());
        moved.add(d);
      }
    }
    if (!queue.isEmpty()) {
      List<Delivery> keep = new ArrayList<>();
      for (Delivery d : queue.drain()) {
        if (ofGroup.test(d) && handOn.test(d)) {
          moved.add(d);
        } else {
          keep.add(d);
        }
      }
      keep.forEach(queue::offer);
    }
    return moved;
  }

  private void cancelTimer(long id) {
    if (id >= 0) {
      node.vertx().cancelTimer(id);
    }
  }

  /** Queues a message no publisher waits for (a restored session's queue). */
  void enqueue(Delivery d) {
    enqueue(d, false);
  }

  /** Queues the message; returns what its publisher must wait for (null: nothing). */
  private Future<Void> enqueue(Delivery d, boolean publisherWaits) {
    boolean mayWait = publisherWaits && d.qos() > 0 && link != null
        && node.settings().get(BrokerSettings.SLOW_CONSUMER_POLICY) != BrokerSettings.SlowConsumerPolicy.DISCONNECT;
    if (mayWait && waiting != null && !waiting.isEmpty()) {
      return waitForRoom(d); // behind the others: the order of each publisher's messages holds
    }
    MessageQueue.Offer offer = queue.offer(d);
    if (offer == MessageQueue.Offer.REFUSED_FULL && mayWait) {
      node.stats().limitReached(queueBoundReached());
      return waitForRoom(d);
    }
    settleOffer(d, offer);
    return null;
  }

  /** Accounts for what the queue did with a message offered without waiting: queued, or queued over a QoS 0 one, or refused. */
  private void settleOffer(Delivery d, MessageQueue.Offer offer) {
    if (offer == MessageQueue.Offer.QUEUED) {
      return;
    }
    node.stats().limitReached(queueBoundReached());
    if (offer == MessageQueue.Offer.QUEUED_DROPPED_OLDEST_QOS0) {
      node.stats().droppedQos0ForRoom.add(queue.lastDroppedCount());
      slowLinkDropped();
      return;
    }
    dropQueueFull(d);
  }

  private Limit queueBoundReached() {
    return queue.lastBoundReached() == MessageQueue.Bound.BYTES ? Limit.MAX_QUEUED_BYTES : Limit.MAX_QUEUED_MESSAGES;
  }

  private void dropQueueFull(Delivery d) {
    if (d.qos() == 0) {
      node.stats().droppedQos0ForRoom.increment(); // at most once: no room is no delivery, not a broken promise
      slowLinkDropped();
      return;
    }
    node.stats().droppedQueueFull.increment();
    warnQueueFull();
    records.done(d);
    slowLinkDropped();
  }

  private void warnQueueFull() {
    boolean bytesBound = queue.lastBoundReached() == MessageQueue.Bound.BYTES;
    node.overflowLog().warn(clientId, bytesBound ? queue.maxBytes() + " bytes" : queue.capacity() + " messages");
  }

  private Future<Void> waitForRoom(Delivery d) {
    if (waiting == null) {
      waiting = new WaitingForRoom();
    }
    if (waiting.size() >= queue.capacity()) {
      // A queue's worth of publishes already waits: the client is too far behind to hold anyone back any longer.
      link.fellBehind(waiting.size() + " messages already wait for room in its full queue");
      dropQueueFull(d);
      return null;
    }
    if (waiting.isEmpty()) {
      armWaitingTimer(maxWaitMillis());
    }
    return waiting.add(d, System.currentTimeMillis());
  }

  private long maxWaitMillis() {
    return Math.min(node.settings().get(BrokerSettings.SLOW_CONSUMER_MAX_STALLED_SECONDS) * 1000L, node.cluster().maxHoldMillis());
  }

  private void armWaitingTimer(long delayMillis) {
    cancelTimer(waitingTimer);
    waitingTimer = node.vertx().setTimer(Math.max(1, delayMillis), id -> onOwner.execute(this::checkWaiting));
  }

  /** A client whose queue has stayed full for the longest wait allowed is disconnected; its messages then go on. */
  private void checkWaiting() {
    waitingTimer = -1;
    if (waiting == null || waiting.isEmpty() || link == null) {
      return;
    }
    long waited = System.currentTimeMillis() - waiting.oldestSinceMillis();
    if (waited >= maxWaitMillis()) {
      link.fellBehind("its queue has been full for " + waited + " ms while publishers waited");
      armWaitingTimer(maxWaitMillis());
    } else {
      armWaitingTimer(maxWaitMillis() - waited);
    }
  }

  /**
   * The client is gone (or the session moves): waiting messages go to the queue, or are dropped when it is full, or
   * when the session is {@code ending} (nobody will take them).
   */
  void releaseWaiting(boolean ending) {
    cancelTimer(waitingTimer);
    waitingTimer = -1;
    if (waiting != null) {
      waiting.releaseAll(d -> {
        if (ending) {
          node.stats().droppedNoSession.increment();
          records.done(d);
        } else {
          settleOffer(d, queue.offer(d));
        }
      });
    }
  }

  /** A message was dropped while a client is connected: it does not keep up, and its policy decides. */
  private void slowLinkDropped() {
    if (link != null) {
      link.cannotKeepUp();
    }
  }

  private void sendQos0(Delivery d) {
    if (ordered != null && ordered.busy()) {
      SessionLink to = link;
      ordered.run(null, () -> {
        if (link == to) {
          sendQos0Now(d);
        }
      });
      return;
    }
    sendQos0Now(d);
  }

  private void sendQos0Now(Delivery d) {
    if (!link.writable()) {
      node.stats().droppedQos0Unwritable.increment();
      link.cannotKeepUp();
      return;
    }
    link.sendPublish(d, 0, false);
  }

  private void sendInflight(Delivery d) {
    InflightMessage m = window.add(d);
    Future<Void> recorded = records.sentUnder(d, m.packetId(), false);
    if (recorded == null && (ordered == null || !ordered.busy())) {
      publish(m);
      return;
    }
    SessionLink to = link;
    ordered().run(recorded, () -> {
      // A newer connection re-sent the whole window when it attached; an acknowledged message left it.
      if (link == to && window.get(m.packetId()) == m) {
        publish(m);
      }
    });
  }

  private void publish(InflightMessage m) {
    if (!link.sendPublish(m.delivery(), m.packetId(), false)) {
      window.drop(m.packetId());
      records.done(m.delivery());
    }
  }

  private OrderedActions ordered() {
    if (ordered == null) {
      ordered = new OrderedActions(onOwner);
    }
    return ordered;
  }

  /** Moves queued messages out while the window and the socket allow. */
  void pump() {
    sendQueued();
    if (waiting != null && !waiting.isEmpty() && link != null) {
      waiting.admitInto(queue, node.stats());
      sendQueued();
    }
  }

  private void sendQueued() {
    long now = System.currentTimeMillis();
    while (link != null) {
      Delivery d = queue.poll(now, expired -> {
        node.stats().droppedExpired.increment();
        records.done(expired);
      });
      if (d == null) {
        return;
      }
      if (d.qos() == 0) {
        sendQos0(d);
      } else if (window.hasRoom()) {
        sendInflight(d);
      } else {
        queue.pushFront(d);
        return;
      }
    }
  }

  /** PUBACK from the client; false if no QoS 1 message was in flight under that id. */
  boolean onPuback(int packetId) {
    InflightMessage m = window.acknowledge(packetId);
    if (m == null) {
      return false;
    }
    records.done(m.delivery());
    pump();
    return true;
  }

  /** PUBREC; an error reason code (MQTT 5, >= 0x80) ends the exchange without PUBREL. */
  boolean onPubrec(int packetId, int reasonCode) {
    if (reasonCode >= 0x80) {
      InflightMessage dropped = window.drop(packetId);
      boolean known = dropped != null;
      if (known) {
        records.done(dropped.delivery());
      }
      pump();
      return known;
    }
    InflightMessage m = window.received(packetId);
    boolean known = m != null;
    if (link == null) {
      return known;
    }
    // Once the client has PUBREL it forgets the id: a survivor must not re-send the PUBLISH after that.
    Future<Void> recorded = known ? records.sentUnder(m.delivery(), packetId, true) : null;
    SessionLink to = link;
    if (recorded == null && (ordered == null || !ordered.busy())) {
      to.sendPubrel(packetId, known);
    } else {
      ordered().run(recorded, () -> {
        if (link == to) {
          to.sendPubrel(packetId, known);
        }
      });
    }
    return known;
  }

  boolean onPubcomp(int packetId) {
    InflightMessage m = window.complete(packetId);
    if (m == null) {
      return false;
    }
    records.done(m.delivery());
    pump();
    return true;
  }

  int queuedCount() {
    return queue.size();
  }

  int inflightCount() {
    return window.size();
  }

}
