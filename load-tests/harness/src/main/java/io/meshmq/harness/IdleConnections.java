package io.meshmq.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle-connection scenario: opens N MQTT 3.1.1 connections to a running broker (spread over several
 * 127.0.0.x source addresses), waits for every CONNACK, holds them idle, and prints one JSON line with the
 * broker process's RSS and heap before and after, per-connection figures, and its CPU use while idle. The
 * broker may be any process (Mosquitto too); its heap is read only when it is a JVM.
 *
 * <p>{@code memory_per_connection_bytes} is RSS plus live heap growth per connection: run a JVM broker with a
 * fixed, pre-touched heap ({@code -Xms = -Xmx, -XX:+AlwaysPreTouch}), whose RSS then does not see the heap grow,
 * so the sum counts each byte once. For a process without a Java heap it is the RSS growth. The
 * {@code …_idle_…} figures are read again at the end of the idle period, once a JVM broker's JIT compiler is
 * done with the connection storm (right after it, RSS still holds the compiler's freed working memory).
 *
 * <pre>java -jar load-tests/harness/target/harness.jar PORT BROKER_PID CONNECTIONS [SOURCE_ADDRESSES] [IDLE_SECONDS] [LABEL] [KEEP_ALIVE]</pre>
 * KEEP_ALIVE is the MQTT keep-alive the clients announce (default 60, as real devices do; the idle period
 * must then stay under 90 s, since the clients send no PINGREQ).
 * With {@code HISTOGRAM=1} in the environment it also prints (to stderr) the classes whose live heap grew by
 * at least 8 bytes per connection; with {@code NMT=1} the broker's Native Memory Tracking difference (the broker
 * must run with {@code -XX:NativeMemoryTracking=summary}); with {@code SMAPS=1} the memory mappings whose
 * resident size changed (/proc/PID/smaps). Before each RSS reading the broker's free native-heap memory is
 * returned to the OS when it is a JVM ({@code jcmd System.trim_native_heap}; {@code TRIM=0} skips it).
 * Bounded: it stops by itself after the idle period, and fails if connecting takes longer than 5 minutes.
 */
public final class IdleConnections {

  private static final long CONNECT_DEADLINE_MILLIS = 300_000;

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: PORT BROKER_PID CONNECTIONS [SOURCE_ADDRESSES=4] [IDLE_SECONDS=30] [LABEL] [KEEP_ALIVE=60]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    int n = Integer.parseInt(args[2]);
    int sources = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    int idleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    String label = args.length > 5 ? args[5] : "broker";
    int keepAlive = args.length > 6 ? Integer.parseInt(args[6]) : 60;
    if (keepAlive > 0 && idleSeconds * 2 >= keepAlive * 3) {
      System.err.println("IDLE_SECONDS must stay under 1.5 x KEEP_ALIVE: the clients send no PINGREQ");
      System.exit(2);
    }
    ProcessStats broker = new ProcessStats(pid);

    // Warm-up: the first connections load classes and get the connection path JIT-compiled (several MB of
    // metaspace and code cache, measured with -XX:NativeMemoryTracking), which is no per-connection cost.
    String warmUpSetting = System.getenv("WARM_UP");
    int warmUp = warmUpSetting != null && !warmUpSetting.isBlank() ? Integer.parseInt(warmUpSetting)
        : Math.min(2_000, Math.max(100, n / 5));
    for (SocketChannel ch : connectAll(port, warmUp, sources, keepAlive)) {
      ch.close();
    }
    // Settle: the JIT compiler's freed arenas go back to the C heap only after a few seconds (HotSpot's chunk
    // pool is cleaned every 5 s), and only then can the trim below return them to the OS.
    Thread.sleep(12_000);

    boolean jvm = broker.isJvm();
    boolean histogram = jvm && "1".equals(System.getenv("HISTOGRAM"));
    boolean nmt = jvm && "1".equals(System.getenv("NMT"));
    boolean smaps = "1".equals(System.getenv("SMAPS"));
    boolean trim = jvm && !"0".equals(System.getenv("TRIM"));
    ClassHistogram classesBefore = histogram ? broker.classHistogram() : null;
    long heapBefore = jvm ? broker.heapUsedAfterGcKib() : 0;
    if (trim) {
      broker.trimNativeHeap();
    }
    long rssBefore = broker.rssKib();
    if (nmt) {
      broker.nativeMemoryBaseline();
    }
    java.util.Map<String, Long> mappingsBefore = smaps ? broker.residentByMapping() : null;
    long start = System.nanoTime();
    List<SocketChannel> channels = connectAll(port, n, sources, keepAlive);
    double connectSeconds = (System.nanoTime() - start) / 1e9;
    long heapAfter = jvm ? broker.heapUsedAfterGcKib() : 0;
    if (trim) {
      broker.trimNativeHeap();
    }
    long rssAfter = broker.rssKib();
    if (smaps) {
      System.err.println(ProcessStats.residentGrowth(mappingsBefore, broker.residentByMapping(), 64));
    }
    if (nmt) {
      System.err.println(broker.nativeMemoryDiff());
    }
    if (histogram) {
      System.err.println(broker.classHistogram().perConnectionGrowthSince(classesBefore, n, 8));
    }
    long cpuBefore = broker.cpuTicks();
    Thread.sleep(idleSeconds * 1000L);
    long cpuTicks = broker.cpuTicks() - cpuBefore;
    // Again at the end of the idle period, when the JIT compiler is done with the connection storm.
    long heapIdle = jvm ? broker.heapUsedAfterGcKib() : 0;
    if (trim) {
      broker.trimNativeHeap();
    }
    long rssIdle = broker.rssKib();
    int stillOpen = 0;
    for (SocketChannel ch : channels) {
      if (ch.isOpen() && ch.isConnected()) {
        stillOpen++;
      }
      ch.close();
    }
    System.out.printf("{\"scenario\":\"idle-connections\",\"label\":\"%s\",\"keep_alive\":%d,\"connections\":%d,\"still_open\":%d,"
            + "\"connect_seconds\":%.2f,\"connects_per_second\":%.0f,"
            + "\"rss_before_kib\":%d,\"rss_after_kib\":%d,\"rss_per_connection_bytes\":%.0f,"
            + "\"heap_before_kib\":%d,\"heap_after_kib\":%d,\"heap_per_connection_bytes\":%.0f,"
            + "\"memory_per_connection_bytes\":%.0f,\"jvm\":%b,"
            + "\"idle_seconds\":%d,\"idle_cpu_percent_of_one_core\":%.2f,"
            + "\"rss_idle_kib\":%d,\"rss_idle_per_connection_bytes\":%.0f,\"heap_idle_per_connection_bytes\":%.0f,"
            + "\"memory_idle_per_connection_bytes\":%.0f}%n",
        label, keepAlive, n, stillOpen, connectSeconds, n / connectSeconds,
        rssBefore, rssAfter, (rssAfter - rssBefore) * 1024.0 / n,
        heapBefore, heapAfter, (heapAfter - heapBefore) * 1024.0 / n,
        (rssAfter - rssBefore + heapAfter - heapBefore) * 1024.0 / n, jvm,
        idleSeconds, cpuTicks / (double) idleSeconds,
        rssIdle, (rssIdle - rssBefore) * 1024.0 / n, (heapIdle - heapBefore) * 1024.0 / n,
        (rssIdle - rssBefore + heapIdle - heapBefore) * 1024.0 / n);
  }

  private static List<SocketChannel> connectAll(int port, int n, int sources, int keepAlive) throws IOException {
    List<SocketChannel> channels = new ArrayList<>(n);
    int batch = 500;
    long deadline = System.currentTimeMillis() + CONNECT_DEADLINE_MILLIS;
    for (int done = 0; done < n; done += batch) {
      int count = Math.min(batch, n - done);
      channels.addAll(connectBatch(port, done, count, sources, keepAlive, deadline));
    }
    return channels;
  }

  /** Opens a batch without blocking, sends CONNECT on each, and waits until each has its CONNACK. */
  private static List<SocketChannel> connectBatch(int port, int offset, int count, int sources, int keepAlive, long deadline)
      throws IOException {
    List<SocketChannel> batch = new ArrayList<>(count);
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < count; i++) {
        int index = offset + i;
        SocketChannel ch = SocketChannel.open();
        ch.bind(new InetSocketAddress("127.0.0." + (1 + index % sources), 0));
        ch.configureBlocking(false);
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        ch.register(selector, SelectionKey.OP_CONNECT, new int[] {index, 0});
        batch.add(ch);
      }
      int acked = 0;
      ByteBuffer in = ByteBuffer.allocate(64);
      while (acked < count) {
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("connections not acknowledged in time: " + (offset + acked));
        }
        selector.select(1000);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) key.channel();
          int[] state = (int[]) key.attachment();
          if (key.isConnectable()) {
            ch.finishConnect();
            ByteBuffer connect = ByteBuffer.wrap(connectPacket("idle-" + state[0], keepAlive));
            while (connect.hasRemaining()) {
              ch.write(connect);
            }
            key.interestOps(SelectionKey.OP_READ);
          } else if (key.isReadable()) {
            in.clear();
            int r = ch.read(in);
            if (r < 0) {
              throw new IOException("broker closed connection " + state[0]);
            }
            state[1] += r;
            if (state[1] >= 4) { // CONNACK is 4 bytes for MQTT 3.1.1
              key.cancel();
              acked++;
            }
          }
        }
        selector.selectedKeys().clear();
      }
    }
    for (SocketChannel ch : batch) {
      ch.configureBlocking(true);
    }
    return batch;
  }

  static byte[] connectPacket(String clientId) {
    return connectPacket(clientId, 0);
  }

  /** MQTT 3.1.1 CONNECT, clean session, with the given keep-alive. */
  static byte[] connectPacket(String clientId, int keepAlive) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    int remaining = 10 + 2 + id.length;
    ByteBuffer b = ByteBuffer.allocate(2 + remaining);
    b.put((byte) 0x10).put((byte) remaining);
    b.putShort((short) 4).put("MQTT".getBytes(StandardCharsets.US_ASCII)).put((byte) 4).put((byte) 0x02).putShort((short) keepAlive);
    b.putShort((short) id.length).put(id);
    return b.array();
  }
}
