package io.meshmq.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering DESIGN.md describes, held by the build (issue 12, item 5; the server module sees every other module's
 * classes): the protocol core depends on neither Vert.x, Netty nor Hazelcast; only the cluster module touches
 * Hazelcast; the broker knows nothing of the cluster or the launcher; the cluster knows nothing of the launcher.
 * Package cycles inside the broker are not held yet (they exist: root and connection, listener, session, sys).
 */
class LayeringTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.meshmq");
    // Every module's classes are there: the rules below would hold vacuously otherwise.
    for (String c : new String[] {"io.meshmq.core.topic.TopicTrie", "io.meshmq.broker.session.Session",
        "io.meshmq.cluster.ClusterNode", "io.meshmq.server.Launcher"}) {
      assertThat(classes.contain(c)).as(c).isTrue();
    }
  }

  @Test
  void theProtocolCoreDependsOnNoFrameworkNorCluster() {
    noClasses().that().resideInAPackage("io.meshmq.core..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "com.hazelcast..", "io.meshmq.broker..",
            "io.meshmq.cluster..", "io.meshmq.server..")
        .check(classes);
  }

  @Test
  void onlyTheClusterModuleTouchesHazelcast() {
    noClasses().that().resideOutsideOfPackage("io.meshmq.cluster..")
        .should().dependOnClassesThat().resideInAPackage("com.hazelcast..")
        .check(classes);
  }

  @Test
  void theBrokerKnowsNothingOfTheClusterOrTheLauncher() {
    noClasses().that().resideInAPackage("io.meshmq.broker..")
        .should().dependOnClassesThat().resideInAnyPackage("io.meshmq.cluster..", "io.meshmq.server..")
        .check(classes);
  }

  @Test
  void theClusterKnowsNothingOfTheLauncher() {
    noClasses().that().resideInAPackage("io.meshmq.cluster..")
        .should().dependOnClassesThat().resideInAPackage("io.meshmq.server..")
        .check(classes);
  }
}
