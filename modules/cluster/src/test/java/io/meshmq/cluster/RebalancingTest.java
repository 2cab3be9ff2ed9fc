package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/**
 * Scale-out behind a load balancer: 30 persistent-session clients (20 MQTT 5, 10 MQTT 3.1.1) on one node, a second
 * node joins, rebalancing on. The crowded node asks clients to go (MQTT 5: DISCONNECT 0x9C; 3.1.1: closed); they
 * reconnect through a round-robin "load balancer" (some land on the crowded node again), until both nodes are within
 * 10 % of the mean. Every client that moved got its session back (session present) and still receives on its
 * subscription without subscribing again.
 */
class RebalancingTest {

  private static final int V5_CLIENTS = 20;
  private static final int V3_CLIENTS = 10;

  @Test
  void aNodeAddedToTheClusterGetsItsShareOfTheConnections() throws Exception {
    ExecutorService reconnects = Executors.newSingleThreadExecutor();
    List<AutoCloseable> clients = new ArrayList<>();
    try (ClusterFixture cluster = ClusterFixture.start(1, ClusterSettings.REBALANCE_ENABLED, true,
        ClusterSettings.REBALANCE_RATE, 20, ClusterSettings.REBALANCE_THRESHOLD_PERCENT, 10)) {
      Map<String, Set<String>> received = new ConcurrentHashMap<>();
      Set<Integer> reasons = ConcurrentHashMap.newKeySet();
      AtomicInteger moves = new AtomicInteger();
      AtomicInteger sessionsLost = new AtomicInteger();
      List<String> uris = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(cluster.uri(0)));
      AtomicInteger roundRobin = new AtomicInteger();
      LoadBalancer lb = () -> uris.get(Math.floorMod(roundRobin.getAndIncrement(), uris.size()));
      for (int i = 0; i < V5_CLIENTS; i++) {
        clients.add(new V5Device("rb-v5-" + i, lb, reconnects, received, reasons, moves, sessionsLost).start());
      }
      for (int i = 0; i < V3_CLIENTS; i++) {
        clients.add(new V3Device("rb-v3-" + i, lb, reconnects, received, moves, sessionsLost).start());
      }
      ClusterNode a = cluster.node(0);
      assertThat(a.broker().node().stats().clientsConnected.sum()).isEqualTo(V5_CLIENTS + V3_CLIENTS);

      // Scale-out: a second node; the balancer sends new connections to both from now on.
      ClusterNode b = cluster.addNode();
      uris.add(cluster.uri(1));
      int total = V5_CLIENTS + V3_CLIENTS;
      // Settled, not passing through: the balance holds for two seconds (rebalancing looks every second).
      await("both nodes within 10 % of the mean").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60))
          .until(() -> {
        long onA = a.broker().node().stats().clientsConnected.sum();
        long onB = b.broker().node().stats().clientsConnected.sum();
        return onA + onB == total && Math.abs(onA - total / 2.0) <= total / 2.0 * 0.1
            && Math.abs(onB - total / 2.0) <= total / 2.0 * 0.1;
      });
      assertThat(a.connectionsMoved()).as("clients node A asked to move").isGreaterThanOrEqualTo(total / 2 - 1);
      assertThat(reasons).as("MQTT 5 DISCONNECT reasons").containsOnly(0x9C);
      assertThat(sessionsLost.get()).as("reconnects without their session").isZero();
      assertThat(moves.get()).as("reconnects").isGreaterThanOrEqualTo(total / 2 - 1);

      // Subscriptions followed their sessions: a message to each client's topic, published on A, reaches it.
      MqttClient pub = new MqttClient(cluster.uri(0), "rb-pub", new MemoryPersistence());
      pub.connect();
      Set<String> ids = new java.util.TreeSet<>();
      for (int i = 0; i < V5_CLIENTS; i++) {
        ids.add("rb-v5-" + i);
      }
      for (int i = 0; i < V3_CLIENTS; i++) {
        ids.add("rb-v3-" + i);
      }
      // Published again to those still missing it at each look: a route can be a moment behind its session's move.
      await("a message on each client's subscription").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300)).until(() -> {
            List<String> missing = ids.stream().filter(id -> !received.getOrDefault(id, Set.of()).contains("after"))
                .toList();
            for (String id : missing) {
              pub.publish("rb/" + id, "after".getBytes(StandardCharsets.UTF_8), 1, false);
            }
            return missing.isEmpty();
          });
      pub.disconnect();
      // Before the nodes stop: a stopping node would send its clients through the balancer once more.
      closeAll(clients);
    } finally {
      reconnects.shutdownNow();
      closeAll(clients);
    }
  }

  private static void closeAll(List<AutoCloseable> clients) throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    clients.clear();
  }

  /** Which node the next connection goes to. */
  interface LoadBalancer {
    String next();
  }

  /**
   * A device with a persistent session and one subscription ({@code rb/<id>}), counting what it receives; when its
   * connection goes it reconnects through the balancer and records whether its session was there.
   */
  private abstract static class Device implements AutoCloseable {
    final String id;
    private final LoadBalancer lb;
    private final ExecutorService reconnects;
    private final Map<String, Set<String>> received;
    private final AtomicInteger moves;
    private final AtomicInteger sessionsLost;
    volatile boolean closed;

    Device(String id, LoadBalancer lb, ExecutorService reconnects, Map<String, Set<String>> received,
           AtomicInteger moves, AtomicInteger sessionsLost) {
      this.id = id;
      this.lb = lb;
      this.reconnects = reconnects;
      this.received = received;
      this.moves = moves;
      this.sessionsLost = sessionsLost;
    }

    /** Connects to {@code uri} with the device's session; returns whether the broker had it. */
    abstract boolean connect(String uri) throws Exception;

    abstract void subscribe() throws Exception;

    /** Releases the client of the last connection (closed by the broker, or being closed). */
    abstract void release();

    Device start() throws Exception {
      connect(lb.next());
      subscribe();
      return this;
    }

    void arrived(byte[] payload) {
      received.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(new String(payload, StandardCharsets.UTF_8));
    }

    void moveOn() {
      if (closed) {
        return;
      }
      reconnects.execute(() -> {
        try {
          release();
          if (!connect(lb.next())) {
            sessionsLost.incrementAndGet();
          }
          moves.incrementAndGet();
        } catch (Exception e) {
          moveOn();
        }
      });
    }

    @Override
    public void close() {
      closed = true;
      release();
    }
  }

  /** An MQTT 5 device: told to go with DISCONNECT 0x9C. */
  private static final class V5Device extends Device {
    private final Set<Integer> reasons;
    private volatile org.eclipse.paho.mqttv5.client.MqttAsyncClient client;

    V5Device(String id, LoadBalancer lb, ExecutorService reconnects, Map<String, Set<String>> received,
             Set<Integer> reasons, AtomicInteger moves, AtomicInteger sessionsLost) {
      super(id, lb, reconnects, received, moves, sessionsLost);
      this.reasons = reasons;
    }

    @Override
    boolean connect(String uri) throws MqttException {
      client = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(uri, id,
          new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
      client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
          reasons.add(response.getReturnCode());
          moveOn();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          arrived(message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
      });
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
      IMqttToken t = client.connect(o);
      t.waitForCompletion(10_000);
      return t.getSessionPresent();
    }

    @Override
    void subscribe() throws MqttException {
      client.subscribe("rb/" + id, 1).waitForCompletion(10_000);
    }

    @Override
    void release() {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(0, 1000, false);
        }
        client.close(true);
      } catch (MqttException e) {
        // best effort
      }
    }
  }

  /** An MQTT 3.1.1 device, which has no server DISCONNECT: the node closes the connection. */
  private static final class V3Device extends Device {
    private volatile org.eclipse.paho.client.mqttv3.MqttAsyncClient client;

    V3Device(String id, LoadBalancer lb, ExecutorService reconnects, Map<String, Set<String>> received,
             AtomicInteger moves, AtomicInteger sessionsLost) {
      super(id, lb, reconnects, received, moves, sessionsLost);
    }

    @Override
    boolean connect(String uri) throws org.eclipse.paho.client.mqttv3.MqttException {
      client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(uri, id, new MemoryPersistence());
      client.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
          moveOn();
        }

        @Override
        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
          arrived(message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(false);
      org.eclipse.paho.client.mqttv3.IMqttToken t = client.connect(o);
      t.waitForCompletion(10_000);
      return t.getSessionPresent();
    }

    @Override
    void subscribe() throws org.eclipse.paho.client.mqttv3.MqttException {
      client.subscribe("rb/" + id, 1).waitForCompletion(10_000);
    }

    @Override
    void release() {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(0, 1000);
        }
        client.close(true);
      } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
        // best effort
      }
    }
  }
}
