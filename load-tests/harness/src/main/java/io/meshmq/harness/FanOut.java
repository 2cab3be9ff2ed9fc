package io.meshmq.harness;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fan-out throughput: one publisher to N subscribers of its topic; every message is delivered N times. */
@Command(name = "fan-out", mixinStandardHelpOptions = true,
    description = "One publisher sending as fast as its window allows to subscribers (default 100) of its topic")
final class FanOut implements Callable<Integer> {

  @Mixin
  TargetOptions target;

  @Option(names = "--subscribers", description = "(default: ${DEFAULT-VALUE})")
  int subscribers = 100;

  @Option(names = "--qos", description = "QoS of the publishes and the subscriptions, 0-2 (default: ${DEFAULT-VALUE})")
  int qos = 1;

  @Option(names = "--window", description = "Unacknowledged QoS 1/2 messages of the publisher (default: ${DEFAULT-VALUE})")
  int window = 32;

  @Override
  public Integer call() throws Exception {
    System.out.println(new ThroughputScenario("fan-out", target, 1, subscribers, qos, window).run(false));
    return 0;
  }
}
