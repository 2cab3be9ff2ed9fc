package io.meshmq.broker.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks MQTT packet framing on the raw byte stream ahead of Netty's decoder, without copying: Netty's
 * {@code MqttDecoder} trusts the length of a PUBLISH topic, so a topic length running past the end of its
 * packet makes it wait forever for bytes that belong to later packets (the connection hangs instead of being
 * closed). The guard follows packet boundaries and fails the connection as malformed when that happens.
 *
 * <p>Outbound, it hands writes to Netty's MQTT encoder (stateless and shared), which therefore needs no pipeline
 * entry of its own: one handler context (64 bytes) less per connection.
 */
final class FrameGuard extends ChannelDuplexHandler {

  private static final int PUBLISH = 3;

  private enum Phase { FIXED_HEADER, LENGTH, TOPIC_LENGTH_HIGH, TOPIC_LENGTH_LOW, BODY, BROKEN }

  // Bytes where a byte is enough: the guard lives as long as its connection (24 bytes instead of 40).
  private Phase phase = Phase.FIXED_HEADER;
  private byte type;
  private int remaining;
  private byte lengthShift;
  private byte topicLengthHigh;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (phase == Phase.BROKEN) {
      ReferenceCountUtil.release(msg);
      return;
    }
    String problem = scan(buf);
    if (problem != null) {
      phase = Phase.BROKEN;
      ReferenceCountUtil.release(msg);
      ctx.fireExceptionCaught(new DecoderException("malformed packet: " + problem));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    MqttEncoder.INSTANCE.write(ctx, msg, promise);
  }

  /** Walks the readable bytes (without moving the reader index); returns a problem or null. */
  private String scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      switch (phase) {
        case FIXED_HEADER -> {
          type = (byte) ((buf.getByte(i++) & 0xFF) >>> 4);
          remaining = 0;
          lengthShift = 0;
          phase = Phase.LENGTH;
        }
        case LENGTH -> {
          int b = buf.getByte(i++) & 0xFF;
          remaining |= (b & 0x7F) << lengthShift;
          lengthShift += 7;
          if ((b & 0x80) != 0) {
            if (lengthShift >= 28) {
              return "remaining length longer than 4 bytes";
            }
          } else {
            phase = remaining == 0 ? Phase.FIXED_HEADER : type == PUBLISH ? Phase.TOPIC_LENGTH_HIGH : Phase.BODY;
          }
        }
        case TOPIC_LENGTH_HIGH -> {
          topicLengthHigh = buf.getByte(i++);
          remaining--;
          phase = remaining == 0 ? Phase.FIXED_HEADER : Phase.TOPIC_LENGTH_LOW;
        }
        case TOPIC_LENGTH_LOW -> {
          int topicLength = ((topicLengthHigh & 0xFF) << 8) | (buf.getByte(i++) & 0xFF);
          remaining--;
          if (topicLength > remaining) {
            return "PUBLISH topic length " + topicLength + " runs past the end of the packet";
          }
          phase = remaining == 0 ? Phase.FIXED_HEADER : Phase.BODY;
        }
        case BODY -> {
          int skip = Math.min(remaining, end - i);
          i += skip;
          remaining -= skip;
          if (remaining == 0) {
            phase = Phase.FIXED_HEADER;
          }
        }
        case BROKEN -> {
          return "broken";
        }
      }
    }
    return null;
  }
}
