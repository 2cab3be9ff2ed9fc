package io.meshmq.broker.it.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.meshmq.broker.session.Session;
import io.meshmq.broker.test.BrokerFixture;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared plumbing of the MQTT 3.1.1 integration tests: a broker per test, Paho clients that are always closed,
 * a collector of received messages, and a raw socket client for what Paho cannot do (silence, abrupt close,
 * not acknowledging).
 */
abstract class V3TestSupport {

  static final long WAIT_SECONDS = 5;
  /** How long "nothing (more) arrives" is watched, always after a positive barrier. */
  static final long QUIET_MILLIS = 300;

  /** Paho spends ~300 ms of fixed start-up in every connect; independent clients connect in parallel. */
  private static final ExecutorService CONNECTORS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "v3-test-connect");
    t.setDaemon(true);
    return t;
  });

  BrokerFixture broker;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();
  private final List<RawClient> rawClients = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    for (MqttClient c : clients) {
      try {
        if (c.isConnected()) {
          // Paho's disconnectForcibly waits its whole timeout for an answer 3.1.1 does not have: close the socket.
          c.disconnectForcibly(0, 0, false);
        }
      } catch (MqttException | RuntimeException ignored) {
        // best effort
      }
      try {
        c.close(true);
      } catch (MqttException | RuntimeException ignored) {
        // best effort
      }
    }
    clients.clear();
    for (RawClient r : rawClients) {
      r.close();
    }
    rawClients.clear();
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  BrokerFixture startBroker(Object... overrides) {
    broker = BrokerFixture.start(overrides);
    return broker;
  }

  // ---------------------------------------------------------------- Paho

  static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(cleanSession);
    o.setConnectionTimeout(5);
    o.setKeepAliveInterval(30);
    o.setAutomaticReconnect(false);
    o.setMaxInflight(1000);
    return o;
  }

  /** A Paho client (not yet connected) whose messages and connection loss go to the returned collector. */
  Client client(String clientId) throws MqttException {
    MqttClient c = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
    c.setTimeToWait(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    clients.add(c);
    Collector collector = new Collector();
    c.setCallback(collector);
    return new Client(c, collector);
  }

  /** Connects a Paho MQTT 3.1.1 client with the given clean-session flag. */
  Client connect(String clientId, boolean cleanSession) throws MqttException {
    return connect(clientId, options(cleanSession));
  }

  /** Connects several Paho MQTT 3.1.1 clients at once; returned in the order of the ids. */
  Client[] connectAll(boolean cleanSession, String... clientIds) throws Exception {
    List<Callable<Client>> connects = new ArrayList<>();
    for (String id : clientIds) {
      connects.add(() -> connect(id, cleanSession));
    }
    return inParallel(connects);
  }

  /** Runs independent client connects at once; results in the same order. */
  Client[] inParallel(List<Callable<Client>> connects) throws Exception {
    List<Future<Client>> pending = new ArrayList<>();
    for (Callable<Client> c : connects) {
      pending.add(CONNECTORS.submit(c));
    }
    Client[] connected = new Client[connects.size()];
    for (int i = 0; i < connected.length; i++) {
      try {
        connected[i] = pending.get(i).get(2 * WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ex ? ex : e;
      }
    }
    return connected;
  }

  Client connect(String clientId, MqttConnectOptions options) throws MqttException {
    Client c = client(clientId);
    c.lastConnect = c.paho.connectWithResult(options);
    return c;
  }

  Client connect(String clientId, boolean cleanSession, Consumer<MqttConnectOptions> tweak) throws MqttException {
    MqttConnectOptions o = options(cleanSession);
    tweak.accept(o);
    return connect(clientId, o);
  }

  /** The session of that client id on the broker, or null. */
  Session session(String clientId) {
    return broker.broker().node().sessions().get(clientId);
  }

  /** Waits until the broker has processed the loss of the connection of that (persistent) client. */
  void awaitOffline(String clientId) {
    Awaitility.await().atMost(Duration.ofSeconds(WAIT_SECONDS))
        .until(() -> session(clientId) != null && !session(clientId).isOnline());
  }

  /** Waits until the broker has no session left for that client id (clean session ended). */
  void awaitNoSession(String clientId) {
    Awaitility.await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> session(clientId) == null);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A Paho client with its collector. */
  static final class Client {
    final MqttClient paho;
    final Collector received;
    IMqttToken lastConnect;

    Client(MqttClient paho, Collector received) {
      this.paho = paho;
      this.received = received;
    }

    void subscribe(String filter, int qos) throws MqttException {
      IMqttToken t = paho.subscribeWithResponse(filter, qos);
      assertThat(t.getGrantedQos()).as("granted QoS for %s", filter).containsExactly(qos);
    }

    void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
      paho.publish(topic, bytes(payload), qos, retained);
    }

    void publish(String topic, byte[] payload, int qos, boolean retained) throws MqttException {
      paho.publish(topic, payload, qos, retained);
    }

    boolean sessionPresent() {
      return lastConnect.getSessionPresent();
    }
  }

  /** One message as a client received it. */
  record Received(String topic, String payload, int qos, boolean retained, boolean dup) {
    @Override
    public String toString() {
      return topic + ":" + payload + "@" + qos + (retained ? "R" : "") + (dup ? "D" : "");
    }
  }

  /** Collects what a Paho client receives; also records the connection loss. */
  static final class Collector implements MqttCallback {
    final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> lost = new CompletableFuture<>();

    @Override
    public void connectionLost(Throwable cause) {
      lost.complete(cause);
    }

    @Override
    public void messageArrived(String topic, MqttMessage m) {
      queue.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(), m.isRetained(),
          m.isDuplicate()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    /** The next message; fails if none arrives within the usual wait. */
    Received next() throws InterruptedException {
      Received r = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (r == null) {
        fail("no message arrived within " + WAIT_SECONDS + " s");
      }
      return r;
    }

    List<Received> next(int n) throws InterruptedException {
      List<Received> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Received r = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
          fail("only " + i + " of " + n + " messages arrived within " + WAIT_SECONDS + " s: " + out);
        }
        out.add(r);
      }
      return out;
    }

    /**
     * Everything received up to and including the message with that payload (which must arrive). Paho hands a
     * QoS 2 message to the application only on PUBREL, so a marker behind QoS 2 deliveries must itself be
     * delivered at QoS 2 to come after them.
     */
    List<Received> until(String markerPayload) throws InterruptedException {
      List<Received> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (true) {
        long left = deadline - System.nanoTime();
        Received r = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
        if (r == null) {
          fail("marker '" + markerPayload + "' did not arrive within " + WAIT_SECONDS + " s; got " + out);
        }
        out.add(r);
        if (r.payload().equals(markerPayload)) {
          return out;
        }
      }
    }

    /** Asserts that nothing arrives during a short bounded wait (call it after a positive barrier). */
    void assertNothingMore() throws InterruptedException {
      Received r = queue.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(r).as("unexpected message").isNull();
    }
  }

  // ---------------------------------------------------------------- raw MQTT over a socket

  RawClient raw() throws IOException {
    RawClient r = new RawClient(broker.port());
    rawClients.add(r);
    return r;
  }

  /** A will for a raw CONNECT. */
  record Will(String topic, String payload, int qos, boolean retain) {
  }

  /** One MQTT control packet as read from the wire. */
  record Packet(int type, int flags, byte[] body) {
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int SUBACK = 9;
    static final int PINGRESP = 13;

    boolean dup() {
      return (flags & 0x08) != 0;
    }

    int qos() {
      return (flags >> 1) & 0x03;
    }

    boolean retain() {
      return (flags & 0x01) != 0;
    }

    String topic() {
      int len = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
      return new String(body, 2, len, StandardCharsets.UTF_8);
    }

    int packetId() {
      if (type == PUBLISH) {
        int off = 2 + topicLength();
        return ((body[off] & 0xFF) << 8) | (body[off + 1] & 0xFF);
      }
      return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
    }

    String payload() {
      int off = 2 + topicLength() + (qos() > 0 ? 2 : 0);
      return new String(body, off, body.length - off, StandardCharsets.UTF_8);
    }

    private int topicLength() {
      return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
    }
  }

  /** A minimal hand-written MQTT client over a plain socket. */
  static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** Sends CONNECT (protocol level 4 = 3.1.1, 3 = 3.1) and returns the CONNACK's {session present, return code}. */
    int[] connect(String clientId, boolean cleanSession, int keepAliveSeconds, Will will) throws IOException {
      sendConnect(4, clientId, cleanSession, keepAliveSeconds, will);
      Packet p = read(WAIT_SECONDS * 1000);
      assertThat(p).as("CONNACK").isNotNull();
      assertThat(p.type()).as("packet type").isEqualTo(Packet.CONNACK);
      return new int[] {p.body()[0] & 0x01, p.body()[1] & 0xFF};
    }

    /** Connects and asserts the broker accepted; returns session present. */
    boolean connectAccepted(String clientId, boolean cleanSession, int keepAliveSeconds, Will will) throws IOException {
      int[] ack = connect(clientId, cleanSession, keepAliveSeconds, will);
      assertThat(ack[1]).as("CONNACK return code").isZero();
      return ack[0] == 1;
    }

    void sendConnect(int level, String clientId, boolean cleanSession, int keepAliveSeconds, Will will)
        throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      string(b, level == 3 ? "MQIsdp" : "MQTT");
      b.write(level);
      int flags = cleanSession ? 0x02 : 0;
      if (will != null) {
        flags |= 0x04 | (will.qos() << 3) | (will.retain() ? 0x20 : 0);
      }
      b.write(flags);
      b.write(keepAliveSeconds >> 8);
      b.write(keepAliveSeconds & 0xFF);
      string(b, clientId);
      if (will != null) {
        string(b, will.topic());
        string(b, will.payload());
      }
      send(0x10, b.toByteArray());
    }

    /** SUBSCRIBE one filter; returns the granted QoS from the SUBACK. */
    int subscribe(int packetId, String filter, int qos) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(packetId >> 8);
      b.write(packetId & 0xFF);
      string(b, filter);
      b.write(qos);
      send(0x82, b.toByteArray());
      Packet p = read(WAIT_SECONDS * 1000);
      assertThat(p).as("SUBACK").isNotNull();
      assertThat(p.type()).as("packet type").isEqualTo(Packet.SUBACK);
      assertThat(p.packetId()).isEqualTo(packetId);
      return p.body()[2] & 0xFF;
    }

    /** PUBLISH; for QoS 1/2 the caller reads the acknowledgement. */
    void publish(String topic, String payload, int qos, int packetId, boolean retain) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      string(b, topic);
      if (qos > 0) {
        b.write(packetId >> 8);
        b.write(packetId & 0xFF);
      }
      b.writeBytes(bytes(payload));
      send(0x30 | (qos << 1) | (retain ? 1 : 0), b.toByteArray());
    }

    void puback(int packetId) throws IOException {
      send(0x40, new byte[] {(byte) (packetId >> 8), (byte) packetId});
    }

    void pingreq() throws IOException {
      send(0xC0, new byte[0]);
    }

    void disconnect() throws IOException {
      send(0xE0, new byte[0]);
    }

    void send(int firstByte, byte[] body) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(firstByte);
      int len = body.length;
      do {
        int digit = len % 128;
        len /= 128;
        b.write(len > 0 ? digit | 0x80 : digit);
      } while (len > 0);
      b.write(body);
      out.write(b.toByteArray());
      out.flush();
    }

    /** The next packet, or null if none starts within the timeout; EOFException when the broker closed. */
    Packet read(long timeoutMillis) throws IOException {
      int first;
      socket.setSoTimeout((int) Math.max(1, timeoutMillis));
      try {
        first = in.read();
      } catch (SocketTimeoutException e) {
        return null;
      } catch (SocketException e) {
        throw new EOFException("connection reset: " + e.getMessage());
      }
      if (first < 0) {
        throw new EOFException("closed by the broker");
      }
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      int len = 0;
      int mul = 1;
      int digit;
      do {
        digit = in.readUnsignedByte();
        len += (digit & 0x7F) * mul;
        mul *= 128;
      } while ((digit & 0x80) != 0);
      byte[] body = new byte[len];
      in.readFully(body);
      return new Packet(first >> 4, first & 0x0F, body);
    }

    /** The next packet, which must arrive within the usual wait. */
    Packet next() throws IOException {
      Packet p = read(WAIT_SECONDS * 1000);
      assertThat(p).as("a packet from the broker").isNotNull();
      return p;
    }

    /**
     * Reads until the broker closes the connection; returns true if it did within the timeout. Packets read
     * meanwhile are discarded.
     */
    boolean awaitClosed(long timeoutMillis) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          read(left);
        } catch (EOFException e) {
          return true;
        }
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }

    private static void string(ByteArrayOutputStream b, String s) {
      byte[] v = s.getBytes(StandardCharsets.UTF_8);
      b.write(v.length >> 8);
      b.write(v.length & 0xFF);
      b.write(v, 0, v.length);
    }
  }
}
