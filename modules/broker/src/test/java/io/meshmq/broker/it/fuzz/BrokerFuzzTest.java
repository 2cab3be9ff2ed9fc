package io.meshmq.broker.it.fuzz;

import static io.meshmq.broker.config.BrokerSettings.MAX_SESSION_EXPIRY_SECONDS;
import static io.meshmq.broker.test.MqttPackets.CONNACK;
import static io.meshmq.broker.test.MqttPackets.V3_1;
import static io.meshmq.broker.test.MqttPackets.V3_1_1;
import static io.meshmq.broker.test.MqttPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.LatencyProbe;
import io.meshmq.broker.test.LogCapture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.RawMqttClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Sends at least 100,000 packets, well-formed and broken (see {@link PacketGenerator}, {@link Mutator}), MQTT 3.1,
 * 3.1.1 and 5.0, over thousands of real connections to a broker in this JVM, while a control pair of clients
 * publishes and subscribes throughout. The broker must answer each connection by itself: no exception may escape
 * a connection (Vert.x's exception handler, ERROR lines, Netty/Vert.x warnings), the control clients must be
 * served the whole time, and once the fuzz connections are gone the heap must be back near where it started.
 *
 * <p>The seed is printed; {@code -Dfuzz.seed=N} replays a run (connection i uses {@code seed} and {@code i}).
 */
class BrokerFuzzTest {

  private static final long DEFAULT_SEED = 0x5EED_2026L;
  private static final long PACKETS = Long.getLong("fuzz.packets", 100_000);
  private static final int THREADS = 8;
  private static final long HEAP_BOUND = 16L * 1024 * 1024;

  @Test
  void brokerSurvivesRandomAndMutatedPacketsAndKeepsServing() throws Exception {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    System.out.printf("BrokerFuzzTest seed %d (replay with -Dfuzz.seed=%d)%n", seed, seed);
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    try (LogCapture log = LogCapture.open();
         BrokerFixture broker = BrokerFixture.start(MAX_SESSION_EXPIRY_SECONDS, 2L)) {
      broker.vertx().exceptionHandler(escaped::add);
      BrokerNode node = broker.broker().node();
      try (LatencyProbe control = LatencyProbe.start(broker.tcpUri(), "control/probe", Duration.ofMillis(20))) {
        long heapBefore = usedHeapAfterGc();
        AtomicLong packets = new AtomicLong();
        AtomicInteger connections = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          workers.add(pool.submit(() -> {
            while (packets.get() < PACKETS) {
              packets.addAndGet(fuzzOneConnection(broker.port(), seed, connections.getAndIncrement()));
            }
            return null;
          }));
        }
        for (Future<?> w : workers) {
          w.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long millis = (System.nanoTime() - started) / 1_000_000;

        // The fuzz connections go away (their sessions expire after 2 s); only the control clients remain.
        await().atMost(Duration.ofSeconds(60)).conditionEvaluationListener(c -> {
          if (c.getRemainingTimeInMS() <= c.getPollInterval().toMillis()) {
            node.sessions().all().forEach(s -> System.out.println("still there: " + s + " online=" + s.isOnline()));
          }
        }).until(() -> node.stats().clientsConnected.sum() == 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> node.sessions().size() == 2);
        assertThat(control.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        LatencyProbe.Stats served = control.stats();
        long heapAfter = usedHeapAfterGc();
        System.out.printf("BrokerFuzzTest: %d packets over %d connections in %d ms; heap after GC %d KB before, "
                + "%d KB after (%d retained messages stored); control client: %d probes, p50 %d us, p99 %d us; "
                + "protocol errors %d%n", packets.get(), connections.get(), millis, heapBefore / 1024, heapAfter / 1024,
            node.retained().size(), served.sent(), served.p50Micros(), served.p99Micros(),
            node.stats().protocolErrors.sum());

        assertThat(packets.get()).isGreaterThanOrEqualTo(PACKETS);
        assertThat(escaped).as("exceptions that reached Vert.x's exception handler").isEmpty();
        assertThat(log.problems()).as("ERROR lines, Netty and Vert.x warnings").isEmpty();
        assertThat(served.failedPublishes()).as("control publishes that failed").isZero();
        assertThat(served.sent()).as("control probes published during the run").isGreaterThan(10);
        assertThat(served.received()).isGreaterThanOrEqualTo(served.sent() - 1);
        assertThat(heapAfter - heapBefore).as("heap growth after the fuzz connections are gone").isLessThan(HEAP_BOUND);
        try (RawMqttClient fresh = RawMqttClient.open(broker.port())) {
          assertThat(fresh.connect(MqttPackets.connect(V5).clientId("after-fuzz")).type()).isEqualTo(CONNACK);
        }
      }
    }
  }

  /** One connection: an optional (possibly broken) CONNECT, then a random run of packets; returns how many. */
  private static int fuzzOneConnection(int port, long seed, int index) throws IOException {
    Random random = new Random(seed * 1_000_003L + index);
    int version = switch (random.nextInt(10)) {
      case 0 -> V3_1;
      case 1, 2, 3, 4 -> V3_1_1;
      default -> V5;
    };
    PacketGenerator generator = new PacketGenerator(random, version, version == V5 && random.nextInt(5) == 0);
    Mutator mutator = new Mutator(random);
    List<byte[]> packets = new ArrayList<>();
    int opening = random.nextInt(20);
    if (opening < 15) {
      packets.add(generator.connect());
    } else if (opening < 18) {
      packets.add(mutator.mutate(generator.connect(), generator.any()));
    }
    double mutationRate = random.nextDouble() * 0.6; // some connections mostly well-formed, others mostly broken
    for (int n = 5 + random.nextInt(60); n > 0; n--) {
      byte[] p = generator.any();
      packets.add(random.nextDouble() < mutationRate ? mutator.mutate(p, generator.any()) : p);
    }
    if (random.nextInt(4) == 0) {
      mutator.shuffle(packets);
    }
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      int i = 0;
      while (i < packets.size()) {
        int chunk = 1 + random.nextInt(packets.size() - i);
        out.write(MqttPackets.concat(packets.subList(i, i + chunk).toArray(new byte[0][])));
        i += chunk;
        if (!drain(socket, in, random.nextInt(3))) {
          break; // the broker closed the connection
        }
      }
      drain(socket, in, 5 + random.nextInt(20));
      if (random.nextInt(3) == 0) {
        socket.setSoLinger(true, 0); // close with a reset
      }
    } catch (IOException e) {
      // The broker closed the connection while we were writing: an expected answer to broken input.
    }
    return packets.size();
  }

  /** Reads what the broker sent within {@code millis} (at least what is already there); false once it closed. */
  private static boolean drain(Socket socket, InputStream in, int millis) throws IOException {
    socket.setSoTimeout(Math.max(1, millis));
    byte[] sink = new byte[16384];
    try {
      while (true) {
        if (in.read(sink) < 0) {
          return false;
        }
      }
    } catch (SocketTimeoutException e) {
      return true;
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
