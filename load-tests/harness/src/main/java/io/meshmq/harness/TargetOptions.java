package io.meshmq.harness;

import java.util.List;
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

  @Option(names = "--sub-ports", split = ",", paramLabel = "PORT[,PORT...]", description = "MQTT ports the subscribers "
      + "are spread over, subscriber i on the (i mod n)-th: e.g. the nodes of a cluster (instead of --sub-port)")
  List<Integer> subPorts;

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

  @Option(names = "--connect-rate", description = "Subscribers' connects per second at most, also when their "
      + "sessions are cleaned up: under a broker's connect-rate limit (MeshMQ's mqtt.max-connect-rate); 0 = no limit "
      + "(default: ${DEFAULT-VALUE})")
  double connectRate = 800;

  /** The port of the first (or only) subscriber. */
  int subscriberPort() {
    return subscriberPort(0);
  }

  int subscriberPort(int subscriber) {
    if (subPorts != null) {
      return subPorts.get(subscriber % subPorts.size());
    }
    return subPort != null ? subPort : port;
  }

  /** Whether any subscriber is on a port other than the publishers': on a cluster, another node. */
  boolean crossNode() {
    return subPorts != null ? subPorts.stream().anyMatch(p -> p != port) : subscriberPort() != port;
  }

  void validate() {
    if (payloadBytes < BenchPayload.HEADER_BYTES) {
      throw new IllegalArgumentException("--payload must be at least " + BenchPayload.HEADER_BYTES + " bytes");
    }
    if (subPorts != null && (subPort != null || subPorts.isEmpty())) {
      throw new IllegalArgumentException("--sub-ports takes one or more ports, and not beside --sub-port");
    }
    if (connectRate < 0) {
      throw new IllegalArgumentException("--connect-rate must be 0 (no limit) or more");
    }
    if (maxMessages < 1 || maxMessages > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--max-messages must be between 1 and " + Integer.MAX_VALUE);
    }
  }
}
