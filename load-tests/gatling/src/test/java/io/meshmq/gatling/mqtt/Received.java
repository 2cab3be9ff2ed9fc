package io.meshmq.gatling.mqtt;

/** A message delivered to a virtual user's client. */
record Received(String topic, byte[] payload, byte[] correlationData, String responseTopic, int qos,
    boolean retain, long receivedAtMillis) {

  /** The publish time written by {@link Payloads#timestamped}, or -1. */
  long sentAtMillis() {
    return Payloads.timestamp(payload);
  }
}
