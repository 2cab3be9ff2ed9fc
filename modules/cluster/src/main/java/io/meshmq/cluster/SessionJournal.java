package io.meshmq.cluster;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import io.meshmq.core.message.Delivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's write-ahead journal of its persistent sessions' QoS 1/2 state, kept in a Hazelcast map with a
 * synchronous backup so that a survivor of the node rebuilds the sessions ({@link JournalReplay}).
 *
 * <p>Why a journal: writing each delivery to each session as a map entry of its own costs one or two replicated
 * cluster operations per delivery per subscriber, which on two cores made a clustered node 28 times slower than a
 * standalone one. Here every change of every session of the node goes into one open batch; a batch is written as
 * one entry (one operation on one partition, whatever the number of sessions), at most one write at a time, so
 * that batches grow with the load (group commit). Whoever waits for a record (a publisher's acknowledgement, a
 * QoS 2 PUBLISH or PUBREL) waits for its batch. A message acknowledged by its subscriber before its batch left is
 * not written at all. A message taken by many sessions is written once per entry ({@link JournalWire}).
 *
 * <p>Entries are never changed; they are deleted once nothing in them matters any more: every message they hold
 * is done (or carried forward into a newer entry), and every older entry their records refer to (the entry a
 * {@code Done} undoes) is deleted, so that a replay never sees a message without the record that ended it. Live
 * messages left in a mostly finished entry (an offline session's queue) are carried forward into a new entry,
 * so that one waiting message does not keep a whole entry, and the entries that refer to it, alive.
 *
 * <p>A write that fails (Hazelcast reports an operation whose backup did not answer as failed, with
 * {@code hazelcast.operation.fail.on.indeterminate.state}) is written again, with the same key and value, until
 * it succeeds or Hazelcast stops: until then nobody waiting for it is answered. Thread-safe: sessions of every
 * event loop call it; writes, their completions and deletions run on one context of the journal's own.
 */
final class SessionJournal {

  private static final Logger log = LoggerFactory.getLogger(SessionJournal.class);
  private static final Future<Void> DONE = Future.succeededFuture();
  private static final long MAX_RETRY_DELAY_MILLIS = 1_000;
  private static final long RETRY_LOG_MILLIS = 10_000;

  /** A message a session took, or an inbound QoS 2 id it holds, while it is on record. */
  private static final class Item {
    final String clientId;
    final long key;
    /** The record that puts it on record, with the latest packet id and PUBREC state of a QoS 2 message. */
    JournalRecord record;
    /** The entry that has it on record; 0: none yet (its put is waiting in the open batch). */
    long entry;
    /** While a carry-forward is being written: the older entry it still counts in; 0 otherwise. */
    long carriedFrom;
    boolean carrying;
    boolean dead;
    /** Completed when the message is safe: written, or acknowledged by its subscriber first. */
    Promise<Void> safe;

    Item(String clientId, long key, JournalRecord record) {
      this.clientId = clientId;
      this.key = key;
      this.record = record;
    }
  }

  /** One written (or being written) entry of the journal. */
  private static final class Entry {
    final long sequence;
    /** Where it is written; an entry keeps its key (the partition key may change for later entries). */
    final JournalKey key;
    final List<Item> items = new ArrayList<>();
    /** Items that still count in this entry. */
    int live;
    /** Older entries that records of this one undo or amend: this one goes only after them. */
    final java.util.Set<Long> refersTo = new java.util.HashSet<>(0);
    final List<Long> referencedBy = new ArrayList<>(0);
    boolean written;
    boolean deleting;
    long writtenAtMillis;

    Entry(JournalKey key) {
      this.sequence = key.sequence();
      this.key = key;
    }
  }

  /** What waits in the open batch: an item to put on record (its record is taken when written), or a note. */
  private record Op(Item put, JournalRecord note, long[] refersTo) {
  }

  private final Context context;
  private final Vertx vertx;
  private final IMap<JournalKey, byte[]> map;
  private final String node;
  private final java.util.function.Supplier<String> partitionKey;
  private final int maxEntryBytes;
  private final long carryAfterMillis;
  private final long lingerMillis;

  private final Object lock = new Object();
  private List<Op> open = new ArrayList<>();
  private Promise<Void> openWritten = Promise.promise();
  private boolean flushScheduled;
  /** The scheduled flush waits for the linger (an urgent record brings it forward). */
  private boolean lingering;
  private boolean writing;
  private boolean closed;
  private long nextSequence = 1;
  private final Map<String, Map<Long, Item>> messages = new HashMap<>();
  private final Map<String, Map<Integer, Item>> inbound = new HashMap<>();
  private final TreeMap<Long, Entry> entries = new TreeMap<>();
  private long lastRetryLog;

  final LongAdder entriesWritten = new LongAdder();
  final LongAdder recordsWritten = new LongAdder();
  final LongAdder bytesWritten = new LongAdder();
  final LongAdder writeRetries = new LongAdder();
  final LongAdder entriesDeleted = new LongAdder();

  /**
   * @param partitionKey where the next entries go (asked before each write)
   * @param lingerMillis how long a batch stays open after its first record (0: until the journal's next event-loop
   *     turn): a message its subscriber acknowledges within it is never written
   */
  SessionJournal(Vertx vertx, IMap<JournalKey, byte[]> map, String node, java.util.function.Supplier<String> partitionKey,
                 int maxEntryBytes, long carryAfterMillis, long lingerMillis) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.map = map;
    this.node = node;
    this.partitionKey = partitionKey;
    this.maxEntryBytes = maxEntryBytes;
    this.carryAfterMillis = carryAfterMillis;
    this.lingerMillis = lingerMillis;
  }

  /** The session took a QoS 1/2 message: completes once it is on record with its backup. */
  Future<Void> taken(String clientId, long sequence, Delivery delivery) {
    long id = delivery.message().id();
    synchronized (lock) {
      Map<Long, Item> of = messages.computeIfAbsent(clientId, c -> new HashMap<>());
      Item previous = of.get(id);
      if (previous != null) {
        kill(previous); // the same message again (a shared and an ordinary subscription): one copy on record
      }
      Item item = new Item(clientId, id, new JournalRecord.Take(clientId, sequence, delivery, 0, false));
      of.put(id, item);
      Future<Void> batch = enqueue(new Op(item, null, null));
      if (batch.failed()) {
        return batch;
      }
      // Its own promise: done before its batch leaves (the subscriber acknowledged it), it is safe at once.
      Promise<Void> safe = Promise.promise();
      item.safe = safe;
      batch.onComplete(ar -> {
        if (ar.succeeded()) {
          safe.tryComplete();
        } else {
          safe.tryFail(ar.cause());
        }
      });
      return safe.future();
    }
  }

  /** A QoS 2 message went out under this packet id ({@code released}: its PUBREC came); completes once on record. */
  Future<Void> marked(String clientId, long messageId, int packetId, boolean released) {
    synchronized (lock) {
      Map<Long, Item> of = messages.get(clientId);
      Item item = of == null ? null : of.get(messageId);
      if (item == null) {
        return DONE; // done already: nothing to amend
      }
      JournalRecord.Take t = (JournalRecord.Take) item.record;
      item.record = new JournalRecord.Take(clientId, t.sequence(), t.delivery(), packetId, released);
      if (item.entry == 0) {
        return enqueue(null, true); // its put, still waiting, writes the new state
      }
      return enqueue(new Op(null, new JournalRecord.Mark(clientId, messageId, packetId, released), new long[] {item.entry}),
          true);
    }
  }

  /** The message is off the session's hands. */
  void done(String clientId, long messageId) {
    synchronized (lock) {
      Map<Long, Item> of = messages.get(clientId);
      Item item = of == null ? null : of.remove(messageId);
      if (of != null && of.isEmpty()) {
        messages.remove(clientId);
      }
      if (item != null) {
        long entry = kill(item);
        if (entry != 0) {
          enqueue(new Op(null, new JournalRecord.Done(clientId, messageId), new long[] {entry}));
        } else if (item.safe != null) {
          item.safe.tryComplete(); // acknowledged by its subscriber before it was written: nothing to wait for
        }
      }
    }
  }

  /** An inbound QoS 2 id is held until PUBREL: completes once on record. */
  Future<Void> inboundHeld(String clientId, int packetId) {
    synchronized (lock) {
      Map<Integer, Item> of = inbound.computeIfAbsent(clientId, c -> new HashMap<>());
      Item previous = of.get(packetId);
      if (previous != null) {
        kill(previous);
      }
      Item item = new Item(clientId, packetId, new JournalRecord.InboundHeld(clientId, packetId));
      of.put(packetId, item);
      return enqueue(new Op(item, null, null), true);
    }
  }

  /** The held inbound QoS 2 id was released: completes once on record (the client may then reuse it). */
  Future<Void> inboundReleased(String clientId, int packetId) {
    synchronized (lock) {
      Map<Integer, Item> of = inbound.get(clientId);
      Item item = of == null ? null : of.remove(packetId);
      if (of != null && of.isEmpty()) {
        inbound.remove(clientId);
      }
      long entry = item == null ? 0 : kill(item);
      if (entry == 0) {
        return DONE;
      }
      return enqueue(new Op(null, new JournalRecord.InboundReleased(clientId, packetId), new long[] {entry}), true);
    }
  }

  /** Everything of this client goes off record: its session ended, or moved to another node. */
  void clear(String clientId) {
    synchronized (lock) {
      List<Item> items = new ArrayList<>();
      Map<Long, Item> m = messages.remove(clientId);
      if (m != null) {
        items.addAll(m.values());
      }
      Map<Integer, Item> i = inbound.remove(clientId);
      if (i != null) {
        items.addAll(i.values());
      }
      long[] refs = new long[items.size()];
      int n = 0;
      for (Item item : items) {
        long entry = kill(item);
        if (entry != 0) {
          refs[n++] = entry;
        }
      }
      if (n > 0) {
        enqueue(new Op(null, new JournalRecord.Clear(clientId), java.util.Arrays.copyOf(refs, n)));
      }
    }
  }

  /** The context the journal writes on (tests run work there to see what one event-loop turn does). */
  Context context() {
    return context;
  }

  /** Items on record (or on their way to it), for metrics and tests. */
  int liveItems() {
    synchronized (lock) {
      int n = 0;
      for (Map<Long, Item> m : messages.values()) {
        n += m.size();
      }
      for (Map<Integer, Item> m : inbound.values()) {
        n += m.size();
      }
      return n;
    }
  }

  /** Entries written and not yet deleted, for metrics and tests. */
  int entryCount() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /** Takes the item off record; returns the entry it counted in (0: none, it was never written). Under the lock. */
  private long kill(Item item) {
    if (item.dead) {
      return 0;
    }
    item.dead = true;
    if (item.entry == 0) {
      return 0;
    }
    Entry e = entries.get(item.entry);
    if (e != null) {
      e.live--;
    }
    return item.entry;
  }

  private Future<Void> enqueue(Op op) {
    return enqueue(op, false);
  }

  /**
   * Under the lock: queues the op (null: none) and returns the future of the open batch. {@code urgent}: the record
   * holds up a client exchange (a QoS 2 PUBLISH, PUBREL, PUBREC or PUBCOMP waits for it) that no acknowledgement can
   * make unnecessary, so the batch does not linger.
   */
  private Future<Void> enqueue(Op op, boolean urgent) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the session journal is closed: Hazelcast stopped"));
    }
    if (op != null) {
      open.add(op);
    }
    scheduleFlush(urgent);
    return openWritten.future();
  }

  /** Under the lock. A write under way flushes the next batch when it completes. */
  private void scheduleFlush(boolean urgent) {
    if (writing) {
      return;
    }
    if (!flushScheduled) {
      flushScheduled = true;
      if (lingerMillis > 0 && !urgent) {
        lingering = true;
        vertx.setTimer(lingerMillis, id -> context.runOnContext(v -> flush()));
      } else {
        context.runOnContext(v -> flush());
      }
    } else if (urgent && lingering) {
      lingering = false;
      context.runOnContext(v -> flush());
    }
  }

  /** A written entry and what it holds. */
  private record Chunk(Entry entry, JournalWire.Writer writer, List<Item> carried) {
  }

  /** On the journal's context: writes the open batch, unless a write is under way (its completion flushes). */
  private void flush() {
    List<Chunk> chunks;
    Promise<Void> batchWritten;
    synchronized (lock) {
      flushScheduled = false;
      lingering = false;
      if (writing || closed) {
        return;
      }
      batchWritten = openWritten;
      openWritten = Promise.promise();
      List<Op> ops = open;
      open = new ArrayList<>();
      chunks = encode(ops);
      writing = !chunks.isEmpty();
    }
    if (chunks.isEmpty()) {
      batchWritten.complete(); // every put in it was done before it left: nothing to write
      return;
    }
    write(chunks, batchWritten, 1);
  }

  /**
   * Under the lock: turns the ops into entries of at most {@code maxEntryBytes} (one, unless the batch is large),
   * skipping the puts of items already done, and puts every item written on the record of its entry.
   */
  private List<Chunk> encode(List<Op> ops) {
    String partition = partitionKey.get();
    List<Chunk> chunks = new ArrayList<>(1);
    Chunk current = null;
    for (Op op : ops) {
      Item item = op.put();
      if (item != null) {
        item.carrying = false;
        if (item.dead) {
          continue;
        }
      }
      if (current == null || current.writer().size() >= maxEntryBytes) {
        Entry entry = new Entry(new JournalKey(node, partition, nextSequence++));
        entries.put(entry.sequence, entry);
        current = new Chunk(entry, new JournalWire.Writer(), new ArrayList<>(0));
        chunks.add(current);
      }
      Entry entry = current.entry();
      if (item == null) {
        current.writer().add(op.note());
        for (long ref : op.refersTo()) {
          Entry older = entries.get(ref);
          if (older != null && ref != entry.sequence && entry.refersTo.add(ref)) {
            older.referencedBy.add(entry.sequence);
          }
        }
        continue;
      }
      current.writer().add(item.record);
      if (item.entry != 0) {
        item.carriedFrom = item.entry; // carried forward: it counts in the older entry until this one is written
        current.carried().add(item);
      }
      item.entry = entry.sequence;
      entry.live++;
      entry.items.add(item);
    }
    return chunks;
  }

  private void write(List<Chunk> chunks, Promise<Void> batchWritten, int attempt) {
    CompletionStage<Void> stage;
    try {
      if (chunks.size() == 1) {
        Chunk c = chunks.get(0);
        stage = map.setAsync(c.entry().key, c.writer().bytes());
      } else {
        Map<JournalKey, byte[]> all = new LinkedHashMap<>();
        for (Chunk c : chunks) {
          all.put(c.entry().key, c.writer().bytes());
        }
        stage = map.setAllAsync(all);
      }
    } catch (HazelcastInstanceNotActiveException e) {
      stopped(batchWritten, e);
      return;
    }
    Future.fromCompletionStage(stage, context).onComplete(ar -> {
      if (ar.succeeded()) {
        written(chunks);
        batchWritten.complete();
        afterWrite();
      } else if (ar.cause() instanceof HazelcastInstanceNotActiveException) {
        stopped(batchWritten, ar.cause());
      } else {
        retry(chunks, batchWritten, attempt, ar.cause());
      }
    });
  }

  /**
   * The write failed (no answer from the backup, a member left mid-write, a time-out): it is written again with the
   * same key and value, which changes nothing if it had landed after all. Nobody waiting for it is answered meanwhile,
   * and later batches wait behind it: publishers are held back rather than told a message is safe that is not.
   */
  private void retry(List<Chunk> chunks, Promise<Void> batchWritten, int attempt, Throwable cause) {
    writeRetries.increment();
    long now = System.currentTimeMillis();
    if (now - lastRetryLog >= RETRY_LOG_MILLIS) {
      lastRetryLog = now;
      log.warn("Session journal write (entries {}..{}) failed, writing it again (attempt {}; {} retries so far): {}",
          chunks.get(0).entry().sequence, chunks.get(chunks.size() - 1).entry().sequence, attempt + 1,
          writeRetries.sum(), cause.toString());
    }
    long delay = Math.min(MAX_RETRY_DELAY_MILLIS, 50L << Math.min(attempt, 5));
    vertx.setTimer(delay, id -> context.runOnContext(v -> write(chunks, batchWritten, attempt + 1)));
  }

  /** Hazelcast stopped: nothing can be written any more, and nobody waiting is told a record is safe. */
  private void stopped(Promise<Void> batchWritten, Throwable cause) {
    Promise<Void> waiting;
    synchronized (lock) {
      closed = true;
      writing = false;
      waiting = openWritten;
      open.clear();
    }
    batchWritten.tryFail(cause);
    waiting.tryFail(cause);
  }

  private void written(List<Chunk> chunks) {
    long now = System.currentTimeMillis();
    synchronized (lock) {
      for (Chunk c : chunks) {
        c.entry().written = true;
        c.entry().writtenAtMillis = now;
        entriesWritten.increment();
        recordsWritten.add(c.writer().records());
        bytesWritten.add(c.writer().size());
        for (Item item : c.carried()) {
          Entry older = entries.get(item.carriedFrom);
          if (older != null) {
            older.live--;
          }
          item.carriedFrom = 0;
        }
      }
    }
  }

  /** After a write: reclaims what is finished, carries live items out of old sparse entries, writes what queued up. */
  private void afterWrite() {
    List<Entry> deletable;
    synchronized (lock) {
      writing = false;
      deletable = reclaimable();
      carryForward();
      if (!open.isEmpty()) {
        scheduleFlush(true); // it filled while the write was under way: that was its linger
      }
    }
    deletable.forEach(this::delete);
  }

  /** Under the lock: written entries with nothing live that refer to no entry still in place; marked as deleting. */
  private List<Entry> reclaimable() {
    List<Entry> out = new ArrayList<>(0);
    for (Entry e : entries.values()) {
      if (e.written && !e.deleting && e.live == 0 && e.refersTo.isEmpty()) {
        e.deleting = true;
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Under the lock: an entry written a while ago of which at most half still counts (an offline session's messages
   * among many done ones) has its live items written again into the open batch, so that it can go.
   */
  private void carryForward() {
    long before = System.currentTimeMillis() - carryAfterMillis;
    for (Entry e : entries.values()) {
      if (!e.written || e.deleting || e.live == 0 || e.writtenAtMillis > before || e.live * 2 > e.items.size()) {
        continue;
      }
      for (Item item : e.items) {
        if (!item.dead && !item.carrying && item.entry == e.sequence) {
          item.carrying = true;
          open.add(new Op(item, null, null));
        }
      }
    }
  }

  /** Deletes an entry; once it is gone, the entries that referred to it may go too. */
  private void delete(Entry e) {
    Future<Void> deleted;
    try {
      deleted = Future.fromCompletionStage(map.deleteAsync(e.key), context).mapEmpty();
    } catch (HazelcastInstanceNotActiveException ex) {
      return;
    }
    deleted.onComplete(ar -> {
      List<Entry> next;
      synchronized (lock) {
        if (ar.failed()) {
          e.deleting = false; // tried again after the next write
          log.debug("Deleting session journal entry {} failed: {}", e.sequence, ar.cause().toString());
          return;
        }
        entriesDeleted.increment();
        entries.remove(e.sequence);
        for (long later : e.referencedBy) {
          Entry l = entries.get(later);
          if (l != null) {
            l.refersTo.remove(e.sequence);
          }
        }
        next = reclaimable();
      }
      next.forEach(this::delete);
    });
  }
}
