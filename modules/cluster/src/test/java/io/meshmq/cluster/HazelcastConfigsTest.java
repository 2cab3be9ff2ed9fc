package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.meshmq.broker.config.Settings;
import org.junit.jupiter.api.Test;

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
  void clusterMapsHaveABackupAndAMergePolicy() {
    Config c = HazelcastConfigs.build(Settings.defaults());
    for (String map : new String[] {HazelcastConfigs.ROUTES, HazelcastConfigs.RETAINED, HazelcastConfigs.CLIENTS,
        HazelcastConfigs.WILLS}) {
      assertThat(c.getMapConfig(map).getBackupCount()).as(map).isEqualTo(1);
    }
    assertThat(c.getMapConfig(HazelcastConfigs.ROUTES).getMergePolicyConfig().getPolicy()).endsWith("PutIfAbsentMergePolicy");
    assertThat(c.getMapConfig(HazelcastConfigs.CLIENTS).getMergePolicyConfig().getPolicy()).endsWith("LatestUpdateMergePolicy");
  }
}
