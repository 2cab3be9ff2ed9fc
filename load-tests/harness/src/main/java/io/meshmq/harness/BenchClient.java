package io.meshmq.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * One MQTT 3.1.1 connection of the benchmark on Netty's MQTT codec. As a subscriber it acknowledges every delivery
 * (PUBACK, or PUBREC then PUBCOMP) and records it in its {@link DeliveryLedger}; as a publisher it keeps the
 * packet ids of its unacknowledged QoS 1/2 messages ({@link InflightIds}, which also times each one's wait) and
 * tells its listener when one completes (PUBACK, or PUBCOMP after the PUBREL it sends on PUBREC). Writes are
 * flushed once per read batch, not per packet. All state is touched on the channel's event loop, except the
 * volatile fields read by the main or pacing thread.
 */
final class BenchClient {

  private static final int MAX_INCOMING_PACKET_BYTES = 1 << 20;

  private final Channel channel;
  private final int port;
  private final String clientId;
  private final DeliveryLedger ledger;
  private final CompletableFuture<BenchClient> connected = new CompletableFuture<>();
  private InflightIds inflightIds;
  /** PUBACK waits are timed for messages written from then on ({@link System#nanoTime}; see {@link #timeAcksFrom}). */
  private volatile long timeAcksFromNanos = Long.MIN_VALUE;
  private CompletableFuture<Void> subscribed;
  private Runnable ackListener = () -> { };
  private Runnable writableListener = () -> { };
  private volatile int inflight;
  private volatile long acked;
  private volatile long lastAckNanos;
  private volatile boolean sessionPresent;
  private volatile boolean closing;
  private volatile String error;

  private BenchClient(EventLoopGroup group, String host, int port, String clientId, boolean cleanSession,
      DeliveryLedger ledger) {
    this.port = port;
    this.clientId = clientId;
    this.ledger = ledger;
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(MAX_INCOMING_PACKET_BYTES), new Handler());
          }
        });
    MqttMessage connect = MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
        .cleanSession(cleanSession).keepAlive(0).build();
    ChannelFuture connecting = bootstrap.connect(host, port);
    connecting.addListener(f -> {
      if (f.isSuccess()) {
        connecting.channel().writeAndFlush(connect);
      } else {
        connected.completeExceptionally(f.cause());
      }
    });
    channel = connecting.channel();
    channel.closeFuture().addListener(f -> closed());
  }

  /**
   * Connects with no keep-alive (runs are shorter than any keep-alive would be).
   *
   * @param cleanSession false for a persistent session, which the broker keeps after the connection ends
   * @param ledger where deliveries are recorded, or null for a client that only publishes
   */
  static CompletableFuture<BenchClient> connect(EventLoopGroup group, String host, int port, String clientId,
      boolean cleanSession, DeliveryLedger ledger) {
    return new BenchClient(group, host, port, clientId, cleanSession, ledger).connected;
  }

  /** Subscribes to one filter; completes on a SUBACK granting it. */
  CompletableFuture<Void> subscribe(String filter, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    channel.eventLoop().execute(() -> {
      subscribed = done;
      channel.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.valueOf(qos), filter).build());
    });
    return done;
  }

  /** Called on the event loop whenever a QoS 1/2 message of this client completes. */
  void onAck(Runnable listener) {
    ackListener = listener;
  }

  /** Called on the event loop when the channel's outbound buffer drained below its low-water mark. */
  void onWritable(Runnable listener) {
    writableListener = listener;
  }

  /** Writes a PUBLISH without flushing; on the event loop only. The payload is released by the write. */
  void publish(String topic, int qos, ByteBuf payload) {
    int packetId = 0;
    if (qos > 0) {
      if (inflightIds == null) {
        inflightIds = new InflightIds(timeAcksFromNanos);
      }
      packetId = inflightIds.take(System.nanoTime());
      inflight++;
    }
    MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0);
    channel.write(new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, packetId), payload), channel.voidPromise());
  }

  void flush() {
    channel.flush();
  }

  Channel channel() {
    return channel;
  }

  boolean inEventLoop() {
    return channel.eventLoop().inEventLoop();
  }

  int inflight() {
    return inflight;
  }

  long acked() {
    return acked;
  }

  long lastAckNanos() {
    return lastAckNanos;
  }

  /** Times the PUBACK waits of messages written from {@code nanos} on only; set before the first publish. */
  void timeAcksFrom(long nanos) {
    timeAcksFromNanos = nanos;
  }

  /** PUBACK/PUBCOMP waits of this publisher, in microseconds; read once the connection is closed. */
  Histogram ackWaitMicros() {
    return inflightIds == null ? new Histogram(3) : inflightIds.ackWaitMicros();
  }

  /** What the CONNACK said: whether the broker still had a session under this client id. */
  boolean sessionPresent() {
    return sessionPresent;
  }

  int port() {
    return port;
  }

  String clientId() {
    return clientId;
  }

  /** The first thing that went wrong on this connection, or null. */
  String error() {
    return error;
  }

  void close() {
    closing = true;
    channel.close().syncUninterruptibly();
  }

  /**
   * Sends DISCONNECT, then closes: the end of a well-behaved client, after which the broker keeps a persistent
   * session (and publishes no will). Completes when the connection is closed.
   */
  CompletableFuture<Void> disconnect() {
    closing = true;
    CompletableFuture<Void> closed = new CompletableFuture<>();
    channel.closeFuture().addListener(f -> closed.complete(null));
    channel.writeAndFlush(MqttMessage.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
    return closed;
  }

  private void completed(int packetId) {
    if (inflightIds == null || !inflightIds.complete(packetId, System.nanoTime())) {
      fail("acknowledgement for packet id " + packetId + ", which is not in flight");
      return;
    }
    inflight--;
    acked++;
    lastAckNanos = System.nanoTime();
    ackListener.run();
  }

  private void fail(String why) {
    if (error == null) {
      error = why;
    }
  }

  private void closed() {
    if (!closing) {
      fail("connection closed");
    }
    String why = error != null ? error : "connection closed";
    connected.completeExceptionally(new IllegalStateException(why));
    if (subscribed != null) {
      subscribed.completeExceptionally(new IllegalStateException(why));
    }
  }

  private static MqttMessage ack(MqttMessageType type, int packetId) {
    // PUBREL carries the flags 0010 (QoS 1 in Netty's fixed header); the other acknowledgements 0000
    MqttQoS flags = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(new MqttFixedHeader(type, false, flags, false, 0), MqttMessageIdVariableHeader.from(packetId));
  }

  private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
      if (msg.decoderResult().isFailure()) {
        fail("undecodable packet: " + msg.decoderResult().cause());
        ctx.close();
        return;
      }
      switch (msg.fixedHeader().messageType()) {
        case CONNACK -> {
          MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
          sessionPresent = ((MqttConnAckMessage) msg).variableHeader().isSessionPresent();
          if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            connected.complete(BenchClient.this);
          } else {
            fail("CONNACK " + code);
            connected.completeExceptionally(new IllegalStateException(error));
          }
        }
        case SUBACK -> {
          int granted = ((MqttSubAckMessage) msg).payload().grantedQoSLevels().get(0);
          if (granted >= 0x80) {
            fail("SUBACK refused the subscription");
            subscribed.completeExceptionally(new IllegalStateException(error));
          } else {
            subscribed.complete(null);
          }
        }
        case PUBLISH -> received((MqttPublishMessage) msg);
        case PUBREL -> ctx.write(ack(MqttMessageType.PUBCOMP, packetId(msg)), ctx.voidPromise());
        case PUBACK, PUBCOMP -> completed(packetId(msg));
        case PUBREC -> ctx.write(ack(MqttMessageType.PUBREL, packetId(msg)), ctx.voidPromise());
        default -> fail("unexpected " + msg.fixedHeader().messageType());
      }
    }

    private void received(MqttPublishMessage msg) {
      if (ledger == null) {
        fail("a publisher received a message");
        return;
      }
      ByteBuf payload = msg.payload();
      ledger.record(BenchPayload.publisher(payload), BenchPayload.sequence(payload), BenchPayload.intendedNanos(payload),
          System.nanoTime());
      switch (msg.fixedHeader().qosLevel()) {
        case AT_LEAST_ONCE -> channel.write(ack(MqttMessageType.PUBACK, msg.variableHeader().packetId()), channel.voidPromise());
        case EXACTLY_ONCE -> channel.write(ack(MqttMessageType.PUBREC, msg.variableHeader().packetId()), channel.voidPromise());
        default -> { }
      }
    }

    private int packetId(MqttMessage msg) {
      return ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        writableListener.run();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause.toString());
      ctx.close();
    }
  }
}
