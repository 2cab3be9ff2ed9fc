package io.meshmq.harness;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fan-in throughput: N publishers, each on a topic of its own, to one subscriber of a wildcard over them all. */
@Command(name = "fan-in", mixinStandardHelpOptions = true,
    description = "Publishers (default 8) sending as fast as their window allows, or at --rate in all, to one "
        + "wildcard subscriber")
final class FanIn implements Callable<Integer> {

  @Mixin
  TargetOptions target;

  @Mixin
  ThroughputOptions options;

  @Option(names = "--publishers", description = "(default: ${DEFAULT-VALUE})")
  int publishers = 8;

  @Override
  public Integer call() throws Exception {
    System.out.println(new ThroughputScenario("fan-in", target, options, publishers, 1).run(true));
    return 0;
  }
}
