package io.meshmq.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Where subscribers go: one port, another node, or spread round robin over several. */
class TargetOptionsTest {

  @Test
  void subPortsSpreadTheSubscribersRoundRobin() {
    FanOut fanOut = parse("--port", "1883", "--sub-ports", "1883,1884,1885");

    assertThat(fanOut.target.subscriberPort(0)).isEqualTo(1883);
    assertThat(fanOut.target.subscriberPort(4)).isEqualTo(1884);
    assertThat(fanOut.target.subscriberPort(5)).isEqualTo(1885);
    assertThat(fanOut.target.crossNode()).isTrue();
  }

  @Test
  void withoutSubPortsEverySubscriberIsOnTheSubPortOrThePublishersPort() {
    assertThat(parse("--port", "1883").target.subscriberPort(7)).isEqualTo(1883);
    assertThat(parse("--port", "1883").target.crossNode()).isFalse();
    assertThat(parse("--port", "1883", "--sub-port", "1884").target.subscriberPort(7)).isEqualTo(1884);
  }

  @Test
  void subPortAndSubPortsTogetherAreRefused() {
    FanOut fanOut = parse("--port", "1883", "--sub-port", "1884", "--sub-ports", "1885");

    assertThatThrownBy(fanOut.target::validate).hasMessageContaining("--sub-ports");
  }

  private static FanOut parse(String... args) {
    FanOut fanOut = new FanOut();
    new CommandLine(fanOut).parseArgs(args);
    return fanOut;
  }
}
