package io.meshmq.harness;

import io.meshmq.broker.Broker;
import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Latency of a well-behaved subscriber while publishers flood the broker, without and then with a subscriber that
 * stopped reading (4 KB receive buffer, subscribed to the flood at QoS 0 and QoS 1). A probe is published every
 * millisecond with its send time; the latency is taken when the probe subscriber reads it. Prints one JSON line:
 * p50/p99 of both runs and the p99 ratio. Broker in this JVM, default settings.
 *
 * <pre>java -cp load-tests/harness/target/harness.jar io.meshmq.harness.SlowConsumer [seconds=10] [flood msg/s=10000]</pre>
 */
public final class SlowConsumer {

  private static final int PAYLOAD = 2048;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Vertx vertx = Vertx.vertx();
    Broker broker = Broker.start(vertx, Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.SYS_INTERVAL_SECONDS, 0),
        Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL).await(30, TimeUnit.SECONDS);
    int port = broker.mqttPort();
    AtomicBoolean flooding = new AtomicBoolean(true);
    Thread[] flood = {floodThread(port, "flood-0", 0, rate / 2, flooding), floodThread(port, "flood-1", 1, rate / 2, flooding)};
    for (Thread t : flood) {
      t.start();
    }
    try (RawMqtt probeSub = new RawMqtt(port, "probe-sub"); RawMqtt probePub = new RawMqtt(port, "probe-pub")) {
      probeSub.subscribe("probe", 0);
      measure(probePub, probeSub, Math.max(2, seconds / 2)); // warm-up
      long[] alone = measure(probePub, probeSub, seconds);
      try (Socket stalled = stalledSubscriber(port)) {
        long[] beside = measure(probePub, probeSub, seconds);
        long heap = usedHeapAfterGc();
        System.out.printf("{\"scenario\":\"slow-consumer\",\"seconds\":%d,\"flood_msgs_per_s\":%d,\"payload_bytes\":%d,"
                + "\"alone_p50_ms\":%.2f,\"alone_p99_ms\":%.2f,\"stalled_p50_ms\":%.2f,\"stalled_p99_ms\":%.2f,"
                + "\"p99_ratio\":%.2f,\"probes\":[%d,%d],\"heap_after_gc_mb\":%.1f,\"dropped_qos0\":%d,"
                + "\"dropped_queue_full\":%d,\"slow_consumer_disconnects\":%d}%n",
            seconds, rate, PAYLOAD, pct(alone, 50), pct(alone, 99), pct(beside, 50), pct(beside, 99),
            pct(beside, 99) / pct(alone, 99), alone.length, beside.length, heap / 1048576.0,
            broker.node().stats().droppedQos0Unwritable.sum() + broker.node().stats().droppedQos0ForRoom.sum(),
            broker.node().stats().droppedQueueFull.sum(), broker.node().stats().slowConsumerDisconnects.sum());
      }
    } finally {
      flooding.set(false);
      broker.stop().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  /** Publishes a probe every millisecond for {@code seconds}; returns the sorted latencies in microseconds. */
  private static long[] measure(RawMqtt pub, RawMqtt sub, int seconds) throws IOException {
    long[] micros = new long[seconds * 1000];
    int n = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end && n < micros.length) {
      pub.publishQos0("probe", ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
      RawMqtt.Packet p = sub.read(1000);
      if (p != null && p.type() == 3) {
        int topicLength = ((p.body()[0] & 0xFF) << 8) | (p.body()[1] & 0xFF);
        micros[n++] = (System.nanoTime() - ByteBuffer.wrap(p.body(), 2 + topicLength, 8).getLong()) / 1000;
      }
      long next = System.nanoTime() + 1_000_000;
      while (System.nanoTime() < next) {
        Thread.onSpinWait();
      }
    }
    long[] sorted = Arrays.copyOf(micros, n);
    Arrays.sort(sorted);
    return sorted;
  }

  /** A client that subscribes to the flood at QoS 0 and 1 and then never reads (4 KB receive buffer). */
  private static Socket stalledSubscriber(int port) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port));
    OutputStream out = s.getOutputStream();
    out.write(connect("stalled"));
    out.write(packet(0x82, concat(new byte[] {0, 1}, utf8("flood/0"), new byte[] {0}, utf8("flood/1"), new byte[] {1})));
    out.flush();
    return s;
  }

  /** Publishes {@code rate} messages per second (QoS {@code qos}) to flood/{qos} and reads what comes back. */
  private static Thread floodThread(int port, String clientId, int qos, int rate, AtomicBoolean running) {
    Thread t = new Thread(() -> {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(connect(clientId));
        Thread reader = new Thread(() -> {
          byte[] sink = new byte[16384];
          try {
            while (in.read(sink) >= 0) {
              // acknowledgements, not needed
            }
          } catch (IOException e) {
            // closed
          }
        });
        reader.setDaemon(true);
        reader.start();
        byte[] payload = new byte[PAYLOAD];
        int batch = Math.max(1, rate / 100);
        int id = 0;
        long next = System.nanoTime();
        while (running.get()) {
          for (int i = 0; i < batch; i++) {
            id = id % 65_535 + 1;
            byte[] idBytes = qos > 0 ? new byte[] {(byte) (id >> 8), (byte) id} : new byte[0];
            out.write(packet(0x30 | qos << 1, concat(utf8("flood/" + qos), idBytes, payload)));
          }
          next += 10_000_000;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
          }
        }
      } catch (IOException | InterruptedException e) {
        // stopped
      }
    }, clientId);
    t.setDaemon(true);
    return t;
  }

  private static byte[] connect(String clientId) {
    return packet(0x10, concat(utf8("MQTT"), new byte[] {4, 2, 0, 0}, utf8(clientId)));
  }

  private static byte[] packet(int header, byte[] body) {
    byte[] len = new byte[4];
    int n = 0;
    int v = body.length;
    do {
      int digit = v & 0x7F;
      v >>>= 7;
      len[n++] = (byte) (v > 0 ? digit | 0x80 : digit);
    } while (v > 0);
    return concat(new byte[] {(byte) header}, Arrays.copyOf(len, n), body);
  }

  private static byte[] utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return concat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
  }

  private static byte[] concat(byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(len);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1000.0;
  }
}
