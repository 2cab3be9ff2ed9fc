package io.meshmq.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.config.NetworkConfig;
import io.meshmq.broker.config.Settings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hazelcast configuration of a node: Vert.x's own (from {@code ConfigUtil.loadConfig()}, which keeps the
 * maps the clustered event bus needs) with the broker's network, discovery, failure detection and maps.
 */
final class HazelcastConfigs {

  static final String ROUTES = "meshmq.routes";
  static final String RETAINED = "meshmq.retained";
  static final String CLIENTS = "meshmq.clients";
  static final String WILLS = "meshmq.wills";
  static final String SESSIONS = "meshmq.sessions";
  static final String SESSION_MESSAGES = "meshmq.session-messages";
  static final String SESSION_INBOUND = "meshmq.session-inbound-qos2";

  private HazelcastConfigs() {
  }

  /**
   * The TCP join list with explicit ports: a member without one gets the cluster port, and on loopback the
   * next nine as well (several nodes on one machine take consecutive ports). Explicit ports matter after a
   * split brain: Hazelcast's search for the other side waits seconds on every port it guesses.
   */
  static List<String> members(String configured, int port) {
    List<String> out = new ArrayList<>();
    for (String m : configured.split("\\s*,\\s*")) {
      if (m.isEmpty()) {
        continue;
      }
      boolean hasPort = m.lastIndexOf(':') > m.lastIndexOf(']') && m.indexOf(':') == m.lastIndexOf(':');
      if (hasPort) {
        out.add(m);
      } else if (m.equals("localhost") || m.startsWith("127.")) {
        for (int p = port; p < port + LOOPBACK_PORTS; p++) {
          out.add(m + ":" + p);
        }
      } else {
        out.add(m + ":" + port);
      }
    }
    return out;
  }

  private static final int LOOPBACK_PORTS = 10;

  private static MapConfig latestUpdateWins(String name) {
    return new MapConfig(name).setBackupCount(1).setPerEntryStatsEnabled(true)
        .setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(), 100));
  }

  static Config build(Settings s) {
    Config c = ConfigUtil.loadConfig();
    c.setClusterName(s.get(ClusterSettings.NAME));
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(s.get(ClusterSettings.MEMBER_TIMEOUT_SECONDS)));
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");

    NetworkConfig net = c.getNetworkConfig();
    net.setPort(s.get(ClusterSettings.PORT)).setPortAutoIncrement(true).setPortCount(LOOPBACK_PORTS);
    // Bind and advertise cluster.host. (Not through Hazelcast's interface list: with interfaces enabled it drops
    // every address of a member given by name that is not on this host, so members named by DNS never join.)
    c.setProperty("hazelcast.local.localAddress", s.get(ClusterSettings.HOST));
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (s.get(ClusterSettings.DISCOVERY) == ClusterSettings.Discovery.KUBERNETES) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", s.get(ClusterSettings.KUBERNETES_SERVICE_DNS));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members(s.get(ClusterSettings.MEMBERS), s.get(ClusterSettings.PORT)));
    }

    // Committed data survives one member's loss: one synchronous backup, written before the caller is told.
    // After a split brain heals, the maps merge:
    // - routes: the union (put-if-absent); each node then re-asserts its own routes and deletes those it no
    //   longer has (RouteTable.reconcile), so the table converges to what the nodes really hold;
    // - retained messages, client ids and wills: the latest update wins (the newest retained message of a
    //   topic, the node a client connected to last); nodes then take down local clients whose id the registry
    //   gives to another node, so no client id stays connected twice.
    c.addMapConfig(new MapConfig(ROUTES).setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), 100)));
    c.addMapConfig(latestUpdateWins(RETAINED));
    c.addMapConfig(latestUpdateWins(CLIENTS));
    c.addMapConfig(latestUpdateWins(WILLS));
    c.addMapConfig(latestUpdateWins(SESSIONS));
    c.addMapConfig(new MapConfig(SESSION_MESSAGES).setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), 100)));
    c.addMapConfig(new MapConfig(SESSION_INBOUND).setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), 100)));
    return c;
  }
}
