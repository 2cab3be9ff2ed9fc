package io.meshmq.harness;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fan-in throughput: N publishers, each on a topic of its own, to one subscriber of a wildcard over them all. */
@Command(name = "fan-in", mixinStandardHelpOptions = true,
    description = "Publishers (default 8) sending as fast as their window allows to one wildcard subscriber")
final class FanIn implements Callable<Integer> {

  @Mixin
  TargetOptions target;

  @Option(names = "--publishers", description = "(default: ${DEFAULT-VALUE})")
  int publishers = 8;

  @Option(names = "--qos", description = "QoS of the publishes and the subscription, 0-2 (default: ${DEFAULT-VALUE})")
  int qos = 1;

  @Option(names = "--window", description = "Unacknowledged QoS 1/2 messages per publisher (default: ${DEFAULT-VALUE})")
  int window = 32;

  @Override
  public Integer call() throws Exception {
    System.out.println(new ThroughputScenario("fan-in", target, publishers, 1, qos, window).run(true));
    return 0;
  }
}
