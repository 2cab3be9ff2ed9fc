package io.meshmq.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version of this build, as recorded by Maven in the jar. */
final class Version {

  // Written by the Maven jar plugin and kept by the shade plugin, so no resource filtering is needed.
  private static final String POM_PROPERTIES = "/META-INF/maven/io.meshmq/meshmq-server/pom.properties";

  private Version() {
  }

  /** The project version, or "dev" when running from classes rather than a packaged jar (IDE, tests). */
  static String current() {
    try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }

  /** For {@code --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"MeshMQ " + current()};
    }
  }
}
