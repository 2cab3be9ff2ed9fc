package io.meshmq.cluster;

import io.meshmq.core.message.Delivery;

/**
 * One change to the persistent sessions of a node, as its {@link SessionJournal} writes it. Replayed in order
 * ({@link JournalReplay}), the records of a node give every session's unacknowledged QoS 1/2 messages and held
 * inbound QoS 2 packet ids.
 */
sealed interface JournalRecord {

  String clientId();

  /**
   * The session took a QoS 1/2 message. {@code sequence} orders a session's messages (recovery replays them in
   * that order); {@code packetId} is the id a QoS 2 message went out under (0: not sent yet, or QoS 1), and
   * {@code released} whether its PUBREC came.
   */
  record Take(String clientId, long sequence, Delivery delivery, int packetId, boolean released) implements JournalRecord {
    long messageId() {
      return delivery.message().id();
    }
  }

  /** A QoS 2 message the session took earlier went out under {@code packetId} ({@code released}: PUBREC came). */
  record Mark(String clientId, long messageId, int packetId, boolean released) implements JournalRecord {
  }

  /** The message is off the session's hands (acknowledged, dropped, expired, handed to another member). */
  record Done(String clientId, long messageId) implements JournalRecord {
  }

  /** An inbound QoS 2 packet id is held until its PUBREL: a re-sent PUBLISH under it is not routed again. */
  record InboundHeld(String clientId, int packetId) implements JournalRecord {
  }

  /** The held inbound QoS 2 packet id was released by PUBREL. */
  record InboundReleased(String clientId, int packetId) implements JournalRecord {
  }

  /** Everything recorded for the client before this goes: its session ended, or moved to another node. */
  record Clear(String clientId) implements JournalRecord {
  }
}
