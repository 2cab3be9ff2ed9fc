package io.meshmq.broker.session;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.will.WillMessage;
import io.meshmq.core.message.Delivery;
import io.meshmq.core.session.InboundQos2;
import io.meshmq.broker.routing.SubscriptionTable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT session of one client id: its lifecycle (attach, detach, expiry, pending will, end), its subscriptions
 * and inbound QoS 2 ids; what it has to send is its {@link Outbox}, what it keeps in the session store its
 * {@link SessionRecords}, a move to another node {@link MovedAway}. An actor ({@link SessionActor}): its state is
 * touched only on its owner context, the context of the connection attached last.
 */
public final class Session extends SessionActor {

  private static final Logger log = LoggerFactory.getLogger(Session.class);
  private static final int MAX_RECENT_IDS = 100_000;

  private final String clientId;
  private final BrokerNode node;
  private volatile boolean online;
  private volatile long latestClaim;
  private volatile boolean ended;

  // Owner-context state below.
  /** The window, the queue and the connection they are sent through. */
  private final Outbox outbox;
  /** Who the client of the last attached connection was; kept while the session is offline (ACL re-checks). */
  private ClientIdentity identity;
  private long expiryIntervalSeconds;
  /** Immutable and empty until the first subscription: an empty HashMap costs 48 bytes per idle session. */
  private Map<String, Subscription> subscriptions = Map.of();
  private final InboundQos2 inboundQos2 = new InboundQos2();
  private long expiryTimer = -1;
  private WillMessage pendingWill;
  private long willTimer = -1;
  /** What the session keeps in the session store; made when a persistent session first needs it. */
  private SessionRecords records;
  /** Set once the session moved to another node: what still arrives here follows it there. */
  private MovedAway movedAway;
  private long moveGraceMillis;
  private long moveTimer = -1;
  /** Ids of messages this session already has, kept for a while after it arrived from another node. */
  private RecentMessageIds recentIds;

  public Session(String clientId, BrokerNode node, Context owner, int maxInflight, int maxQueued) {
    super(owner);
    this.clientId = clientId;
    this.node = node;
    this.outbox = new Outbox(clientId, node, this::execute, new Outbox.Records() {
      @Override
      public void done(Delivery d) {
        forget(d);
      }

      @Override
      public Future<Void> sentUnder(Delivery d, int packetId, boolean released) {
        return recordSentUnder(d, packetId, released);
      }
    }, maxInflight, maxQueued);
  }

  public String clientId() {
    return clientId;
  }

  /** Whether a connection is attached (read from any thread; used to prefer online shared-group members). */
  public boolean isOnline() {
    return online;
  }

  public boolean hasEnded() {
    return ended;
  }

  /** The attached connection's protocol version (3, 4 or 5), 0 when none is attached. Owner context. */
  public int protocolVersion() {
    SessionLink l = outbox.link();
    return l == null ? 0 : l.protocolVersion();
  }

  /** The attached connection's client address ("host:port"), null when none is attached. Owner context. */
  public String remoteAddress() {
    SessionLink l = outbox.link();
    return l == null ? null : l.remoteAddress();
  }

  /** The attached connection's keep-alive in seconds, 0 when none is attached. Owner context. */
  public int keepAliveSeconds() {
    SessionLink l = outbox.link();
    return l == null ? 0 : l.keepAliveSeconds();
  }

  void claimedBy(long claimNumber) {
    latestClaim = claimNumber;
  }

  public long latestClaim() {
    return latestClaim;
  }

  /** Whether {@code link} is the connection attached now (meaningful on the owner context). */
  public boolean isAttached(SessionLink candidate) {
    return outbox.link() == candidate;
  }

  // ---------------------------------------------------------------- connection lifecycle (owner context)

  /**
   * Moves the session to {@code newOwner} (the context of a resuming connection), taking the current
   * connection down first. {@code then} runs on the new owner.
   */
  public void moveTo(Context newOwner, Runnable then) {
    takeConnectionDown();
    moveOwner(newOwner);
    execute(then);
  }

  /**
   * Attaches a connection: cancels expiry and a delayed will, re-sends every unacknowledged message (PUBLISH
   * with DUP, or PUBREL), then sends what queued up while the client was away.
   */
  public void attach(SessionLink newLink, int inflightWindow, long expirySeconds) {
    SessionLink old = outbox.link();
    if (old != null && old != newLink) {
      old.takenOver();
    }
    online = true;
    // Only what has subscriptions needs an identity (for the ACL checks of SubscriptionRevocation); asked for now,
    // the connection would build one for every idle client (88 bytes). A first subscription takes it then.
    if (!subscriptions.isEmpty()) {
      takeIdentity(newLink);
    }
    expiryIntervalSeconds = expirySeconds;
    cancelTimer(expiryTimer);
    expiryTimer = -1;
    cancelTimer(willTimer);
    willTimer = -1;
    if (pendingWill != null) {
      node.cluster().willSettled(pendingWill); // resumed in time: the delayed will is not due
      pendingWill = null;
    }
    saveState();
    outbox.attach(newLink, inflightWindow);
  }

  /**
   * The connection went away (DISCONNECT, loss, keep-alive expiry, takeover). Schedules the will, then ends
   * the session or starts its expiry clock.
   */
  public void detach(SessionLink oldLink, WillMessage will) {
    if (outbox.link() != oldLink) {
      // Taken over: the session was resumed by a newer connection (a delayed will is then not due) or
      // ended by a clean start (the will is due now).
      if (will != null && (ended || will.delaySeconds() <= 0)) {
        publishWill(will);
      } else if (will != null) {
        node.cluster().willSettled(will);
      }
      return;
    }
    outbox.detach();
    online = false;
    outbox.releaseWaiting(expiryIntervalSeconds == 0);
    redistributeShared();
    if (will != null) {
      scheduleWill(will);
    }
    startExpiryClock();
  }

  /** A session without a connection ends now (expiry 0) or when its expiry interval has passed. */
  private void startExpiryClock() {
    if (expiryIntervalSeconds == 0) {
      end();
    } else {
      long ms = Math.min(expiryIntervalSeconds, Long.MAX_VALUE / 1000) * 1000;
      expiryTimer = node.vertx().setTimer(Math.min(ms, Long.MAX_VALUE / 2), id -> {
        expiryTimer = -1;
        if (outbox.link() == null) {
          log.info("Session {} expired after {} s", clientId, expiryIntervalSeconds);
          end();
        }
      });
    }
  }

  /**
   * Takes over a session another node re-homed here (its client is not connected); its expiry clock runs. The
   * future completes once its messages are in this node's session store.
   */
  public Future<Void> adopt(SessionSnapshot snapshot, long dedupeMillis) {
    Future<Void> stored = restore(snapshot, dedupeMillis);
    // Its client is away: what reached it through shared subscriptions goes to a member that is online.
    redistributeShared();
    startExpiryClock();
    return stored;
  }

  /**
   * Changes the expiry interval as an MQTT 5 DISCONNECT asks; a session that was to end with its connection
   * (interval 0) cannot be given a lifetime this way (MQTT 5 3.14.2.2.2).
   */
  public void setExpiryIntervalUnlessZero(long seconds) {
    if (expiryIntervalSeconds != 0) {
      expiryIntervalSeconds = seconds;
      saveState();
    }
  }

  /** Ends the session for good: subscriptions go, queued messages are dropped (and counted), the will is due. */
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    online = false;
    cancelTimer(expiryTimer);
    cancelTimer(willTimer);
    redistributeShared();
    for (Subscription s : subscriptions.values()) {
      node.subscriptions().remove(s);
    }
    subscriptions = Map.of();
    if (node.sessions().remove(this)) {
      node.cluster().releaseClient(clientId);
    }
    outbox.releaseWaiting(true);
    int dropped = outbox.dropAll();
    if (records != null) {
      records.ended();
    }
    if (dropped > 0) {
      node.stats().droppedNoSession.add(dropped);
      log.info("Session {} ended with {} undelivered messages, dropped", clientId, dropped);
    }
    inboundQos2.clear();
    if (pendingWill != null) {
      WillMessage w = pendingWill;
      pendingWill = null;
      publishWill(w);
    }
  }

  /** A clean start replaced this session: take its connection down and end it. */
  public void discard() {
    takeConnectionDown();
    end();
  }

  /**
   * Asks the attached client, if any, to reconnect elsewhere (MQTT 5: DISCONNECT 0x9C): the node holds more than its
   * share of the cluster's connections. The session stays; the client's next connection takes it over as usual.
   * Owner context only; false when no client is attached.
   */
  public boolean moveConnection() {
    SessionLink link = outbox.link();
    if (link == null) {
      return false;
    }
    link.moveToAnotherServer();
    return true;
  }

  /** Takes the attached connection down, if any (MQTT 5: DISCONNECT 0x8E): another one has the client id now. */
  private void takeConnectionDown() {
    SessionLink old = outbox.link();
    if (old != null) {
      outbox.detach();
      online = false;
      old.takenOver();
    }
  }

  private void publishWill(WillMessage will) {
    node.router().publishWill(will.message());
    node.cluster().willSettled(will);
  }

  private void scheduleWill(WillMessage will) {
    if (will.delaySeconds() <= 0) {
      publishWill(will);
      return;
    }
    pendingWill = will;
    willTimer = node.vertx().setTimer(will.delaySeconds() * 1000, id -> {
      willTimer = -1;
      if (pendingWill != null && outbox.link() == null) {
        WillMessage w = pendingWill;
        pendingWill = null;
        publishWill(w);
      }
    });
  }

  private void cancelTimer(long id) {
    if (id >= 0) {
      node.vertx().cancelTimer(id);
    }
  }

  // ---------------------------------------------------------------- subscriptions (owner context)

  /**
   * Adds or replaces a subscription; it is active for local routing before this returns. The future tells
   * whether it replaced one and completes once the route is recorded for the other nodes of a cluster.
   */
  public Future<Boolean> subscribe(Subscription s) {
    // The same full filter is the same table key (filter and session, or filter, group and session), so the
    // table replaces the previous subscription in place.
    if (subscriptions.isEmpty()) {
      subscriptions = new HashMap<>();
      if (outbox.link() != null) {
        takeIdentity(outbox.link());
      }
    }
    Subscription previous = subscriptions.put(s.fullFilter(), s);
    SubscriptionTable.Added added = node.subscriptions().put(s);
    saveState();
    return added.routed().map(previous != null);
  }

  public boolean unsubscribe(String fullFilter) {
    Subscription s = subscriptions.isEmpty() ? null : subscriptions.remove(fullFilter);
    if (s == null) {
      return false;
    }
    node.subscriptions().remove(s);
    saveState();
    if (s.isShared()) {
      redistributeShared(s.shareGroup(), s.filter());
    }
    return true;
  }

  public Collection<Subscription> subscriptions() {
    return subscriptions.values();
  }

  public int subscriptionCount() {
    return subscriptions.size();
  }

  /** The subscription to this filter as the client wrote it, or null. */
  public Subscription subscription(String fullFilter) {
    return subscriptions.get(fullFilter);
  }

  private void takeIdentity(SessionLink from) {
    ClientIdentity id = from.identity();
    if (id != null) {
      identity = id;
    }
  }

  /**
   * The identity of the client last attached while the session had subscriptions (or that subscribed since), or
   * null (a session rebuilt from another node before its client came back).
   */
  public ClientIdentity identity() {
    return identity;
  }

  /** Whether the session has a subscription to this filter as the client wrote it ({@code $share/g/f} for shared). */
  public boolean hasSubscription(String fullFilter) {
    return subscriptions.containsKey(fullFilter);
  }

  // ---------------------------------------------------------------- outbound (owner context)

  /**
   * A message routed to this session: sent now if the window allows, else queued (bounded, see MessageQueue).
   * For a persistent session and QoS 1/2 the message is also written to the session store; the returned future
   * (null when there is nothing to wait for) completes once it is stored, and the publisher waits for it.
   */
  public Future<Void> deliver(Delivery d) {
    return deliver(d, false);
  }

  /**
   * Like {@link #deliver(Delivery)}; with {@code publisherWaits} (a message published on this node, or forwarded by
   * another node whose publisher waits for this node's answer) a QoS 1/2 message that finds the queue of this
   * connected session full waits for room, and so does its publisher's acknowledgement (the returned future), for
   * at most {@code mqtt.slow-consumer.max-stalled-seconds} (in a cluster at most half
   * {@code cluster.forward-timeout-seconds}), after which the client is disconnected as a slow consumer.
   */
  public Future<Void> deliver(Delivery d, boolean publisherWaits) {
    if (movedAway != null) {
      if (!movedAway.arrived(d)) {
        node.stats().droppedQueueFull.increment();
        node.overflowLog().warn(clientId, outbox.queueCapacity() + " messages");
      }
      return null;
    }
    if (recentIds != null && !recentIds.firstTime(d.message().id())) {
      // Arrived both through the node the session came from and directly: already here.
      return null;
    }
    if (ended) {
      node.stats().droppedNoSession.increment();
      return null;
    }
    if (d.message().isExpired(System.currentTimeMillis())) {
      node.stats().droppedExpired.increment();
      return null;
    }
    Future<Void> stored = store(d);
    Future<Void> queued = outbox.send(d, publisherWaits);
    return queued == null ? stored : stored == null ? queued : Future.all(stored, queued).mapEmpty();
  }

  private boolean persistent() {
    return expiryIntervalSeconds > 0;
  }

  private SessionRecords records() {
    if (records == null) {
      records = new SessionRecords(clientId, node.cluster());
    }
    return records;
  }

  /** Puts a QoS 1/2 message of a persistent session on record; null when there is nothing to wait for. */
  private Future<Void> store(Delivery d) {
    return d.qos() == 0 || !persistent() ? null : records().taken(d);
  }

  /** The message left this session (acknowledged, dropped, expired): its record goes. */
  private void forget(Delivery d) {
    if (records != null) {
      records.done(d);
    }
  }

  /** Writes subscriptions and expiry to the session store (persistent sessions only). */
  private void saveState() {
    if (persistent()) {
      records().save(expiryIntervalSeconds, subscriptions.values(), inboundQos2.ids());
    }
  }

  /** The QoS 2 message went out under this packet id: what must wait for the record (null: nothing). */
  private Future<Void> recordSentUnder(Delivery d, int packetId, boolean released) {
    return records == null ? null : records.sentUnder(d, packetId, released);
  }

  /**
   * Records a held inbound QoS 2 id in the session store (persistent sessions of a cluster), so that a
   * survivor of this node still knows the message was routed; the PUBREC waits for the returned future
   * (null: nothing to wait for).
   */
  public Future<Void> recordInboundHeld(int packetId) {
    return persistent() ? records().inboundHeld(packetId) : null;
  }

  /** Records that a held inbound QoS 2 id was released; the PUBCOMP waits for the returned future (or null). */
  public Future<Void> recordInboundReleased(int packetId) {
    return persistent() ? records().inboundReleased(packetId) : null;
  }

  /** Inbound QoS 2 de-duplication state, which belongs to the session (it survives reconnects). */
  public InboundQos2 inboundQos2() {
    return inboundQos2;
  }

  /** PUBACK from the client; false if no QoS 1 message was in flight under that id. */
  public boolean onPuback(int packetId) {
    return outbox.onPuback(packetId);
  }

  /** PUBREC; an error reason code (MQTT 5, >= 0x80) ends the exchange without PUBREL. */
  public boolean onPubrec(int packetId, int reasonCode) {
    return outbox.onPubrec(packetId, reasonCode);
  }

  /** PUBCOMP; false if no QoS 2 message awaited it under that id. */
  public boolean onPubcomp(int packetId) {
    return outbox.onPubcomp(packetId);
  }

  public int queuedCount() {
    return outbox.queuedCount();
  }

  public int inflightCount() {
    return outbox.inflightCount();
  }

  // ---------------------------------------------------------------- moving between nodes (owner context)

  /**
   * Hands the session to another node: takes the connection down (if any), returns the state to carry over
   * and empties it here. The subscriptions stay: what still arrives is held until the new node is ready
   * ({@link #newHomeReady}), then passed to {@code forwardTo}, until {@code graceMillis} after that (when every
   * node has learnt the new route) the session ends. A new node that never gets ready is given up on after
   * {@code readyTimeoutMillis}.
   */
  public SessionSnapshot handOver(java.util.function.Consumer<Delivery> forwardTo, long graceMillis, long readyTimeoutMillis) {
    takeConnectionDown();
    List<SessionSnapshot.SubscriptionSpec> subs = new ArrayList<>();
    for (Subscription sub : subscriptions.values()) {
      subs.add(SessionSnapshot.SubscriptionSpec.of(sub));
    }
    List<SessionSnapshot.InflightEntry> inflight = outbox.drainInflight();
    outbox.releaseWaiting(expiryIntervalSeconds == 0);
    SessionSnapshot snapshot = new SessionSnapshot(clientId, expiryIntervalSeconds, subs, inflight, outbox.drainQueue(),
        inboundQos2.ids());
    inboundQos2.clear();
    cancelTimer(expiryTimer);
    expiryTimer = -1;
    cancelTimer(willTimer);
    willTimer = -1;
    if (pendingWill != null) {
      node.cluster().willSettled(pendingWill); // the session is resumed elsewhere: a delayed will is not due
      pendingWill = null;
    }
    movedAway = new MovedAway(forwardTo, outbox.queueCapacity());
    records().movedAway();
    this.moveGraceMillis = graceMillis;
    node.sessions().remove(this);
    moveTimer = node.vertx().setTimer(Math.max(1, readyTimeoutMillis), id -> {
      int dropped = movedAway.heldCount();
      if (dropped > 0) {
        node.stats().droppedNoSession.add(dropped);
        log.warn("Session {}: the node it moved to never got ready; {} messages dropped", clientId, dropped);
      }
      finishMove();
    });
    return snapshot;
  }

  /** The node the session moved to has it installed: pass on what was held, and keep passing for the grace period. */
  public void newHomeReady() {
    if (movedAway == null || movedAway.isReady()) {
      return;
    }
    movedAway.newHomeReady();
    cancelTimer(moveTimer);
    moveTimer = node.vertx().setTimer(Math.max(1, moveGraceMillis), id -> finishMove());
  }

  private void finishMove() {
    movedAway = null;
    end();
  }

  /**
   * Takes over the state another node handed over: subscriptions (and so routes), in-flight messages with
   * their packet ids, the queue, the inbound QoS 2 ids. For {@code dedupeMillis} the session drops any message
   * it already got, since for that long a message can arrive both directly and through the old node. A
   * persistent session puts what came along into this node's session store: the future completes once it is
   * there (the old node keeps its copy until then).
   */
  public Future<Void> restore(SessionSnapshot snapshot, long dedupeMillis) {
    expiryIntervalSeconds = snapshot.expirySeconds();
    recentIds = new RecentMessageIds(MAX_RECENT_IDS);
    for (SessionSnapshot.SubscriptionSpec spec : snapshot.subscriptions()) {
      subscribe(spec.bind(this));
    }
    List<Future<Void>> stored = new ArrayList<>();
    for (SessionSnapshot.InflightEntry e : snapshot.inflight()) {
      outbox.restoreInflight(e.packetId(), e.delivery(), e.released());
      recentIds.firstTime(e.delivery().message().id());
      addIfWaiting(stored, store(e.delivery()));
      // Under the same packet id, so that the client's own QoS 2 de-duplication still holds after this node's death.
      addIfWaiting(stored, recordSentUnder(e.delivery(), e.packetId(), e.released()));
    }
    for (Delivery d : snapshot.queued()) {
      outbox.enqueue(d);
      recentIds.firstTime(d.message().id());
      addIfWaiting(stored, store(d));
    }
    inboundQos2.restore(snapshot.inboundQos2());
    for (int packetId : snapshot.inboundQos2()) {
      addIfWaiting(stored, recordInboundHeld(packetId));
    }
    saveState();
    node.vertx().setTimer(Math.max(1, dedupeMillis), id -> recentIds = null);
    return stored.isEmpty() ? Future.succeededFuture() : Future.all(stored).mapEmpty();
  }

  private static void addIfWaiting(List<Future<Void>> writes, Future<Void> write) {
    if (write != null) {
      writes.add(write);
    }
  }

  // ---------------------------------------------------------------- shared subscriptions

  /** Hands messages that came through shared subscriptions, and were not yet received, to other members. */
  private void redistributeShared() {
    redistributeShared(null, null);
  }

  private void redistributeShared(String onlyGroup, String onlyFilter) {
    List<Delivery> moved = outbox.handOnShared(d -> matchesShare(d, onlyGroup, onlyFilter),
        d -> node.router().redeliverShared(d, this));
    // Another member has them now (and stores them if it is persistent): they are off this session's hands.
    moved.forEach(this::forget);
    if (!moved.isEmpty()) {
      log.debug("Session {}: {} shared-subscription messages handed to other group members", clientId, moved.size());
    }
  }

  private static boolean matchesShare(Delivery d, String group, String filter) {
    return d.share() != null && (group == null || (d.share().group().equals(group) && d.share().filter().equals(filter)));
  }

  @Override
  String name() {
    return clientId;
  }

  @Override
  public String toString() {
    return "Session{" + clientId + "}";
  }
}
