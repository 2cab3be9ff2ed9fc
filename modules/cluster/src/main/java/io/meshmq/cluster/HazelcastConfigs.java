package io.meshmq.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.YamlConfigBuilder;
import io.meshmq.broker.config.BrokerSettings;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.meshmq.broker.config.Settings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hazelcast configuration of a node: Vert.x's own (from {@code ConfigUtil.loadConfig()}, which keeps the
 * maps the clustered event bus needs), plus the maps and properties of the broker's cluster state from
 * {@code conf/hazelcast.yaml} (bundled, or the file {@code cluster.hazelcast-config} names), plus network,
 * discovery and failure detection from the settings, which differ per deployment.
 */
final class HazelcastConfigs {

  static final String ROUTES = "meshmq.routes";
  static final String RETAINED = "meshmq.retained";
  static final String CLIENTS = "meshmq.clients";
  static final String WILLS = "meshmq.wills";
  static final String SESSIONS = "meshmq.sessions";
  static final String SESSION_JOURNAL = "meshmq.session-journal";

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

  /** The bundled copy of conf/hazelcast.yaml (see the cluster module's pom). */
  private static final String BUNDLED = "hazelcast.yaml";

  /**
   * The broker's maps and properties: from {@code file}, or the bundled copy of conf/hazelcast.yaml when it is
   * empty. An unreadable or invalid file is an error naming the setting.
   */
  static Config brokerState(String file) {
    try (InputStream in = file.isEmpty() ? HazelcastConfigs.class.getResourceAsStream(BUNDLED) : new FileInputStream(file)) {
      if (in == null) {
        throw new IllegalStateException("the bundled " + BUNDLED + " is missing from the cluster module");
      }
      return new YamlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new IllegalArgumentException(ClusterSettings.HAZELCAST_CONFIG.key() + ": cannot read " + file + ": " + e, e);
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(ClusterSettings.HAZELCAST_CONFIG.key() + ": " + (file.isEmpty() ? BUNDLED : file)
          + " is not a valid Hazelcast configuration: " + e.getMessage(), e);
    }
  }

  static Config build(Settings s) {
    Config c = ConfigUtil.loadConfig();
    Config state = brokerState(s.get(ClusterSettings.HAZELCAST_CONFIG));
    state.getMapConfigs().values().forEach(c::addMapConfig);
    state.getProperties().forEach((k, v) -> c.setProperty((String) k, (String) v));
    c.setClusterName(s.get(ClusterSettings.NAME));
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(s.get(ClusterSettings.MEMBER_TIMEOUT_SECONDS)));
    // A write counts as replicated only once its backup has it: one the backup did not confirm fails, and every
    // writer here treats that as "maybe written" (MaybeWritten, SessionJournal). Not left to the YAML file, since
    // the guarantee that an acknowledged message survives a node's death rests on it.
    c.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
    if (!s.get(BrokerSettings.NODE_ID).isEmpty()) {
      // So that the others know this member by its node.id too (its $SYS topics, once it leaves).
      c.getMemberAttributeConfig().setAttribute(ClusterSysTopics.NODE_ATTRIBUTE, s.get(BrokerSettings.NODE_ID));
    }

    NetworkConfig net = c.getNetworkConfig();
    net.setPort(s.get(ClusterSettings.PORT)).setPortAutoIncrement(true).setPortCount(LOOPBACK_PORTS);
    // Bind and advertise cluster.host. (Not through Hazelcast's interface list: with interfaces enabled it drops
    // every address of a member given by name that is not on this host, so members named by DNS never join.)
    c.setProperty("hazelcast.local.localAddress", s.get(ClusterSettings.HOST));
    if (!s.get(ClusterSettings.PUBLIC_ADDRESS).isEmpty()) {
      c.setProperty("hazelcast.local.publicAddress", s.get(ClusterSettings.PUBLIC_ADDRESS));
    }
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

    return c;
  }
}
