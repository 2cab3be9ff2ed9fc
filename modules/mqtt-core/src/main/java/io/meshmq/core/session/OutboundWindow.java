package io.meshmq.core.session;

import io.meshmq.core.message.Delivery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outbound in-flight window of one session: QoS 1/2 messages sent and not yet acknowledged, in send
 * order (which is also the re-send order on session resume). Packet ids are never reused while in flight.
 * Not thread-safe: owned by the session's context; only the shared in-flight counter is touched from every window.
 */
public final class OutboundWindow {

  private static final int MAX_PACKET_ID = 65_535;

  /** Allocated on first use; emptied maps are kept (a session that sent QoS 1/2 once will again). */
  private Map<Integer, InflightMessage> inflight = Map.of();
  private int capacity;
  private int lastPacketId;
  private final LongAdder inflightCount;

  public OutboundWindow(int capacity) {
    this(capacity, new LongAdder());
  }

  /**
   * A window that adds every change of its size to {@code inflightCount}, a counter shared by all the windows of a
   * node: its sum is the node's in-flight total, read without visiting the sessions.
   */
  public OutboundWindow(int capacity, LongAdder inflightCount) {
    setCapacity(capacity);
    this.inflightCount = inflightCount;
  }

  /** Changes the window (e.g. to an MQTT 5 client's Receive Maximum); messages already in flight stay. */
  public void setCapacity(int capacity) {
    if (capacity < 1 || capacity > MAX_PACKET_ID) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  public boolean hasRoom() {
    return inflight.size() < capacity;
  }

  public int size() {
    return inflight.size();
  }

  public boolean isEmpty() {
    return inflight.isEmpty();
  }

  /** The message in flight under that id, or null. */
  public InflightMessage get(int packetId) {
    return inflight.get(packetId);
  }

  /** Takes a delivery into the window under a fresh packet id. */
  public InflightMessage add(Delivery delivery) {
    if (inflight.size() >= MAX_PACKET_ID) {
      throw new IllegalStateException("all packet ids in flight");
    }
    int id = nextFreePacketId();
    InflightMessage m = new InflightMessage(id, delivery);
    writable().put(id, m);
    inflightCount.increment();
    return m;
  }

  /** Restores an entry with its original packet id (session hand-over); the id must be free. */
  public InflightMessage restore(int packetId, Delivery delivery, InflightMessage.Stage stage) {
    InflightMessage m = new InflightMessage(packetId, delivery);
    if (stage == InflightMessage.Stage.RELEASED) {
      m.release();
    }
    if (writable().putIfAbsent(packetId, m) != null) {
      throw new IllegalStateException("packet id " + packetId + " already in flight");
    }
    inflightCount.increment();
    lastPacketId = packetId;
    return m;
  }

  /** PUBACK: completes a QoS 1 message. Returns it, or null if the id is unknown or not a QoS 1 publish. */
  public InflightMessage acknowledge(int packetId) {
    InflightMessage m = inflight.get(packetId);
    if (m == null || m.delivery().qos() != 1) {
      return null;
    }
    return removed(packetId);
  }

  /**
   * PUBREC: the client has the QoS 2 message; from now on only PUBREL is re-sent. Returns the entry, or null
   * if the id is unknown or not a QoS 2 message (a PUBREC for a released entry is answered with PUBREL again).
   */
  public InflightMessage received(int packetId) {
    InflightMessage m = inflight.get(packetId);
    if (m == null || m.delivery().qos() != 2) {
      return null;
    }
    m.release();
    return m;
  }

  /** PUBCOMP: completes a QoS 2 message. Returns it, or null if the id is unknown or not yet released. */
  public InflightMessage complete(int packetId) {
    InflightMessage m = inflight.get(packetId);
    if (m == null || m.stage() != InflightMessage.Stage.RELEASED) {
      return null;
    }
    return removed(packetId);
  }

  /** Removes an entry whatever its stage (e.g. the client refused it with an error reason code). */
  public InflightMessage drop(int packetId) {
    return inflight.isEmpty() ? null : removed(packetId);
  }

  /** The entries in send order, for re-sending on session resume. */
  public List<InflightMessage> inOrder() {
    return new ArrayList<>(inflight.values());
  }

  /** Empties the window, returning what was in it in send order. */
  public List<InflightMessage> drain() {
    List<InflightMessage> all = inOrder();
    inflightCount.add(-all.size());
    inflight = Map.of();
    return all;
  }

  private InflightMessage removed(int packetId) {
    InflightMessage m = writable().remove(packetId);
    if (m != null) {
      inflightCount.decrement();
    }
    return m;
  }

  private Map<Integer, InflightMessage> writable() {
    if (!(inflight instanceof LinkedHashMap)) {
      inflight = new LinkedHashMap<>();
    }
    return inflight;
  }

  private int nextFreePacketId() {
    int id = lastPacketId;
    do {
      id = id >= MAX_PACKET_ID ? 1 : id + 1;
    } while (inflight.containsKey(id));
    lastPacketId = id;
    return id;
  }
}
