package io.meshmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileLocatorTest {

  @TempDir
  Path workDir;

  @Test
  void withoutOptionVariableOrDefaultFileThereIsNoFile() {
    assertThat(ConfigFileLocator.locate(null, Map.of(), workDir)).isEmpty();
  }

  @Test
  void confBrokerYamlIsUsedWhenItExists() throws IOException {
    Path file = createDefaultFile();

    assertThat(ConfigFileLocator.locate(null, Map.of(), workDir)).contains(file);
  }

  @Test
  void meshmqConfigVariableWinsOverTheDefaultFile() throws IOException {
    createDefaultFile();

    assertThat(ConfigFileLocator.locate(null, Map.of("MESHMQ_CONFIG", "other.yaml"), workDir))
        .contains(workDir.resolve("other.yaml"));
  }

  @Test
  void configOptionWinsOverTheVariable() {
    assertThat(ConfigFileLocator.locate(Path.of("/etc/meshmq/node.yaml"), Map.of("MESHMQ_CONFIG", "other.yaml"),
        workDir)).contains(Path.of("/etc/meshmq/node.yaml"));
  }

  @Test
  void anExplicitlyNamedFileIsReturnedEvenIfMissingSoThatTheLoaderReportsIt() {
    assertThat(ConfigFileLocator.locate(Path.of("missing.yaml"), Map.of(), workDir))
        .contains(workDir.resolve("missing.yaml"));
  }

  private Path createDefaultFile() throws IOException {
    Path file = workDir.resolve("conf/broker.yaml");
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "# empty\n");
  }
}
