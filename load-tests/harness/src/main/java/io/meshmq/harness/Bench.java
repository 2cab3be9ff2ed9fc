package io.meshmq.harness;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The throughput and latency scenarios against a running broker, each printing one JSON line on stdout:
 *
 * <pre>java -cp load-tests/harness/target/harness.jar io.meshmq.harness.Bench fan-in --port 1883 --qos 1
 * java -cp load-tests/harness/target/harness.jar io.meshmq.harness.Bench fan-out --port 1883 --subscribers 100
 * java -cp load-tests/harness/target/harness.jar io.meshmq.harness.Bench latency --port 1883 --sub-port 1884</pre>
 *
 * The idle-connection scenario is {@link IdleConnections}, a process of its own (it holds up to 19,000 sockets).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {FanIn.class, FanOut.class, Latency.class},
    description = "MQTT benchmark scenarios; each prints one JSON line")
public final class Bench {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }
}
