package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.meshmq.broker.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hazelcast configuration a node builds from its settings. */
class HazelcastConfigsTest {

  @Test
  void loopbackMembersGetTenConsecutivePortsAndNamedMembersTheClusterPort() {
    assertThat(HazelcastConfigs.members("127.0.0.1", 5701)).hasSize(10).first().isEqualTo("127.0.0.1:5701");
    assertThat(HazelcastConfigs.members("127.0.0.1", 5701)).last().isEqualTo("127.0.0.1:5710");
    assertThat(HazelcastConfigs.members("node1, node2:5800 ,10.0.0.7", 5701))
        .containsExactly("node1:5701", "node2:5800", "10.0.0.7:5701");
  }

  @Test
  void defaultsAreTcpOnLoopbackWithoutMulticast() {
    Config c = HazelcastConfigs.build(Settings.defaults());
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).contains("127.0.0.1:5701", "127.0.0.1:5703");
    assertThat(c.getClusterName()).isEqualTo("meshmq");
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    // Vert.x's own structures are kept (ConfigUtil.loadConfig)
    assertThat(c.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  void kubernetesDiscoveryUsesTheHeadlessServiceDns() {
    Settings s = Settings.of(ClusterSettings.DISCOVERY, "kubernetes",
        ClusterSettings.KUBERNETES_SERVICE_DNS, "meshmq-hz.default.svc.cluster.local");
    JoinConfig join = HazelcastConfigs.build(s).getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("meshmq-hz.default.svc.cluster.local");
  }

  @Test
  void everyClusterMapOfTheBundledFileHasABackupAndAMergePolicy() {
    Config c = HazelcastConfigs.build(Settings.defaults());
    for (String map : List.of(HazelcastConfigs.ROUTES, HazelcastConfigs.RETAINED, HazelcastConfigs.CLIENTS,
        HazelcastConfigs.WILLS, HazelcastConfigs.SESSIONS, HazelcastConfigs.SESSION_JOURNAL)) {
      assertThat(c.getMapConfigs()).as(map).containsKey(map);
      assertThat(c.getMapConfig(map).getBackupCount()).as(map).isEqualTo(1);
    }
    assertThat(c.getMapConfig(HazelcastConfigs.ROUTES).getMergePolicyConfig().getPolicy()).endsWith("PutIfAbsentMergePolicy");
    assertThat(c.getMapConfig(HazelcastConfigs.CLIENTS).getMergePolicyConfig().getPolicy())
        .isEqualTo(LatestClaimMergePolicy.class.getName());
    for (String latest : List.of(HazelcastConfigs.RETAINED, HazelcastConfigs.WILLS, HazelcastConfigs.SESSIONS)) {
      // Latest update wins needs the entries' update times.
      assertThat(c.getMapConfig(latest).getMergePolicyConfig().getPolicy()).as(latest).endsWith("LatestUpdateMergePolicy");
      assertThat(c.getMapConfig(latest).isPerEntryStatsEnabled()).as(latest).isTrue();
    }
    assertThat(c.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("5");
  }

  @Test
  void theBundledFileIsConfHazelcastYaml() throws Exception {
    Path conf = Path.of("../../conf/hazelcast.yaml");
    assertThat(conf).exists();
    try (var in = HazelcastConfigs.class.getResourceAsStream("hazelcast.yaml")) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(conf));
    }
  }

  @Test
  void anOperatorFileReplacesTheBundledOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hz.yaml");
    Files.writeString(file, """
        hazelcast:
          properties:
            hazelcast.merge.next.run.delay.seconds: 30
          map:
            meshmq.retained:
              backup-count: 2
        """);
    Config c = HazelcastConfigs.build(Settings.of(ClusterSettings.HAZELCAST_CONFIG, file.toString()));
    assertThat(c.getMapConfig(HazelcastConfigs.RETAINED).getBackupCount()).isEqualTo(2);
    assertThat(c.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("30");
    assertThat(c.getMultiMapConfigs()).containsKey("__vertx.subs");
    // Settings still win over the file for what they govern.
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
  }

  @Test
  void anInvalidOrMissingFileIsAnErrorNamingTheSetting(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "hazelcast:\n  map:\n    meshmq.routes:\n      backup-count: lots\n");
    assertThatThrownBy(() -> HazelcastConfigs.build(Settings.of(ClusterSettings.HAZELCAST_CONFIG, bad.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.hazelcast-config");
    assertThatThrownBy(() -> HazelcastConfigs.build(Settings.of(ClusterSettings.HAZELCAST_CONFIG, dir.resolve("none.yaml").toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.hazelcast-config");
  }

  @Test
  void aPublicAddressIsAdvertised() {
    Config c = HazelcastConfigs.build(Settings.of(ClusterSettings.PUBLIC_ADDRESS, "10.1.2.3:6000"));
    assertThat(c.getProperty("hazelcast.local.publicAddress")).isEqualTo("10.1.2.3:6000");
    assertThat(HazelcastConfigs.build(Settings.defaults()).getProperty("hazelcast.local.publicAddress")).isNull();
  }
}
