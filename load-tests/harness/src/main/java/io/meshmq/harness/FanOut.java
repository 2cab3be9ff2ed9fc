package io.meshmq.harness;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fan-out throughput: publishers of one topic to N subscribers of it; every message is delivered N times. */
@Command(name = "fan-out", mixinStandardHelpOptions = true,
    description = "Publishers (default 1) of one topic sending as fast as their window allows, or at --rate in all, "
        + "to subscribers (default 100) of it")
final class FanOut implements Callable<Integer> {

  @Mixin
  TargetOptions target;

  @Mixin
  ThroughputOptions options;

  @Option(names = "--publishers", description = "(default: ${DEFAULT-VALUE})")
  int publishers = 1;

  @Option(names = "--subscribers", description = "(default: ${DEFAULT-VALUE})")
  int subscribers = 100;

  @Override
  public Integer call() throws Exception {
    System.out.println(new ThroughputScenario("fan-out", target, options, publishers, subscribers).run(false));
    return 0;
  }
}
