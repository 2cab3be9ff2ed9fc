package io.meshmq.broker.connection;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.BrokerSettings.SlowConsumerPolicy;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Vertx;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client that does not read what the broker sends it from costing memory without bound.
 *
 * <p>The socket's write-buffer high-water mark is {@code mqtt.slow-consumer.max-pending-bytes}; above it the
 * socket is not writable. While it is not: QoS 0 messages are not written (the session drops them), QoS 1/2 wait
 * in the session's bounded queue once the in-flight window is full, and the client's own packets are not read,
 * so that the acknowledgements the broker owes it cannot pile up either. A socket that stays not writable for
 * {@code mqtt.slow-consumer.max-stalled-seconds}, or a connection whose close has not flushed by then, is closed
 * at once: Vert.x flushes a socket before closing it, and a peer that never reads would hold it open forever.
 *
 * <p>Under the {@code disconnect} policy the first message the broker has to drop for the client disconnects it.
 * Runs on the connection's event loop.
 *
 * <p>A connection gets its guard (48 bytes, and a pipeline entry of 64) only once it needs one: when a write or the
 * loop's sweep first finds its socket not writable, when a message for it is dropped, or when its close has not
 * completed by a sweep ({@link ClientConnection#outboundGuard}). Until then the socket has been writable, so the
 * guard would have had nothing to do; from then on it sees every writability change.
 */
final class SlowConsumerGuard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SlowConsumerGuard.class);
  private static final String HANDLER_NAME = "slowConsumerGuard";

  private final ClientConnection c;
  private final SlowConsumerPolicy policy;
  private final long maxStalledMillis;
  /** When the socket last became not writable; 0 while it is writable. */
  private long stalledSince;
  /** When the sweep first saw the connection closing; 0 until then. */
  private long closingSince;
  private boolean holdingReads;

  SlowConsumerGuard(ClientConnection c) {
    this.c = c;
    this.policy = c.node.settings().get(BrokerSettings.SLOW_CONSUMER_POLICY);
    this.maxStalledMillis = c.node.settings().get(BrokerSettings.SLOW_CONSUMER_MAX_STALLED_SECONDS) * 1000L;
  }

  /** Sets the socket's pending-bytes bound; at CONNECT, for every connection. */
  static void bound(ClientConnection c) {
    c.socket.setWriteQueueMaxSize(c.node.settings().get(BrokerSettings.SLOW_CONSUMER_MAX_PENDING_BYTES));
  }

  /** Whether a message may be written now: the pending bytes are under the bound. */
  static boolean writable(ClientConnection c) {
    return c.socket.channelHandlerContext().channel().isWritable() && !c.socket.writeQueueFull();
  }

  /**
   * Puts the guard in front of Vert.x's handler, and takes over the socket's state as it is now (a socket found not
   * writable counts as stalled from now). On the connection's event loop, so no writability change comes between.
   */
  void install() {
    ChannelPipeline pipeline = c.socket.channelHandlerContext().pipeline();
    if (pipeline.get("handler") == null) {
      return; // the channel is gone: nothing to guard any more
    }
    pipeline.addBefore("handler", HANDLER_NAME, this);
    if (!c.socket.channelHandlerContext().channel().isWritable()) {
      becameNotWritable();
    }
  }

  boolean writable() {
    return writable(c);
  }

  /** Whether the guard keeps the client's packets unread (reading resumes only when this is false). */
  boolean holdsReading() {
    return holdingReads;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      stalledSince = 0;
      if (holdingReads) {
        holdingReads = false;
        c.resumeReading();
      }
    } else {
      becameNotWritable();
    }
    super.channelWritabilityChanged(ctx);
  }

  private void becameNotWritable() {
    if (stalledSince == 0) {
      stalledSince = System.currentTimeMillis();
      if (c.isAccepted() && !c.isClosed()) {
        holdingReads = true;
        c.socket.pause();
      }
    }
  }

  /** The session dropped a message for this client because it does not keep up. */
  void messageDropped() {
    if (policy != SlowConsumerPolicy.DISCONNECT) {
      return;
    }
    if (Vertx.currentContext() == c.context) {
      disconnectSlowConsumer("a message for it had to be dropped");
    } else {
      c.context.runOnContext(v -> disconnectSlowConsumer("a message for it had to be dropped"));
    }
  }

  /** Publishers waited for room in the client's queue for too long: it is disconnected, whatever the policy. */
  void fellBehind(String why) {
    if (Vertx.currentContext() == c.context) {
      disconnectSlowConsumer(why);
    } else {
      c.context.runOnContext(v -> disconnectSlowConsumer(why));
    }
  }

  /** From the event loop's sweep: closes a connection stalled or closing for too long. */
  void check(long nowMillis) {
    if (c.isClosed()) {
      if (closingSince == 0) {
        closingSince = nowMillis;
      } else if (nowMillis - closingSince > maxStalledMillis) {
        log.info("Client {} ({}): close not flushed after {} ms, closing without flushing", c.clientId,
            c.remoteAddress(), maxStalledMillis);
        closeNow();
      }
    } else if (stalledSince > 0 && nowMillis - stalledSince > maxStalledMillis) {
      disconnectSlowConsumer("its socket has not been writable for " + (nowMillis - stalledSince) + " ms");
    }
  }

  private void disconnectSlowConsumer(String why) {
    if (c.isClosed()) {
      return;
    }
    c.node.stats().slowConsumerDisconnects.increment();
    log.info("Client {} ({}): slow consumer, disconnecting: {}", c.clientId, c.remoteAddress(), why);
    boolean stalled = !writable();
    c.disconnect(MqttDisconnectReasonCode.QUOTA_EXCEEDED);
    if (stalled) {
      // Nothing more gets through to this client, DISCONNECT included: do not wait for a flush.
      closeNow();
    }
  }

  /**
   * Closes the channel below Vert.x's handler, which would first wait for pending writes to flush, and without the
   * linger of an ending connection: nothing gets through to this client any more.
   */
  private void closeNow() {
    LingeringClose.abort(c.socket);
  }
}
