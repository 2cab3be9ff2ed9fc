package io.meshmq.harness;

import picocli.CommandLine.Option;

/** Where a scenario runs and how long: the options every throughput and latency scenario shares. */
final class TargetOptions {

  @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--port", required = true, description = "MQTT port the publishers connect to")
  int port;

  @Option(names = "--sub-port", description = "MQTT port the subscribers connect to: another node of a cluster for "
      + "cross-node figures (default: --port)")
  Integer subPort;

  @Option(names = "--label", description = "Free text copied into the JSON line, e.g. the broker's name (default: ${DEFAULT-VALUE})")
  String label = "broker";

  @Option(names = "--payload", description = "Payload bytes, at least 20 (default: ${DEFAULT-VALUE})")
  int payloadBytes = 64;

  @Option(names = "--seconds", description = "How long publishers send (default: ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--max-messages", description = "Most messages one publisher sends, whatever the time (default: ${DEFAULT-VALUE})")
  long maxMessages = 5_000_000;

  @Option(names = "--drain-seconds", description = "Longest wait for acknowledgements and deliveries after sending "
      + "stops (default: ${DEFAULT-VALUE})")
  int drainSeconds = 15;

  @Option(names = "--quiet-seconds", description = "After sending stops, a wait for deliveries also ends when none "
      + "arrived for this long; messages later than that count as lost (default: ${DEFAULT-VALUE})")
  int quietSeconds = 5;

  @Option(names = "--threads", description = "Harness event loops (default: ${DEFAULT-VALUE})")
  int threads = 2;

  int subscriberPort() {
    return subPort != null ? subPort : port;
  }

  void validate() {
    if (payloadBytes < BenchPayload.HEADER_BYTES) {
      throw new IllegalArgumentException("--payload must be at least " + BenchPayload.HEADER_BYTES + " bytes");
    }
    if (maxMessages < 1 || maxMessages > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--max-messages must be between 1 and " + Integer.MAX_VALUE);
    }
  }
}
