package io.meshmq.broker.connection;

import io.netty.handler.codec.DecoderException;

/**
 * A well-formed packet a client must not send where it did (a second CONNECT, a packet only a server sends):
 * raised through the Netty pipeline, it closes the connection as a protocol error (MQTT 5: DISCONNECT 0x82).
 */
public final class ProtocolViolation extends DecoderException {

  public ProtocolViolation(String message) {
    super(message);
  }
}
