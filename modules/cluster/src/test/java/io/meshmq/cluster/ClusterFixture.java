package io.meshmq.cluster;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Several clustered broker nodes in this JVM: real Hazelcast members on loopback (a cluster name of their
 * own, so concurrent fixtures never merge), each with its MQTT listener on a random port.
 */
public final class ClusterFixture implements AutoCloseable {

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final Settings settings;

  private ClusterFixture(Settings settings) {
    this.settings = settings;
  }

  public static ClusterFixture start(int size, Object... overrides) {
    Settings s = Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.SYS_INTERVAL_SECONDS, 0, BrokerSettings.EVENT_LOOPS, 2,
        ClusterSettings.NAME, "test-" + UUID.randomUUID(), ClusterSettings.MEMBER_TIMEOUT_SECONDS, 4);
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      s = s.with((Setting<?>) overrides[i], overrides[i + 1]);
    }
    ClusterFixture f = new ClusterFixture(s);
    try {
      for (int i = 0; i < size; i++) {
        f.addNode();
      }
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  /** Starts one more node (it joins the others), with settings of its own over the fixture's. */
  public ClusterNode addNode(Object... overrides) {
    Settings s = settings;
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      s = s.with((Setting<?>) overrides[i], overrides[i + 1]);
    }
    try {
      ClusterNode n = ClusterNode.start(s, Authenticator.ALLOW_ALL, Authorizer.ALLOW_ALL).await(60, TimeUnit.SECONDS);
      nodes.add(n);
      return n;
    } catch (Exception e) {
      throw new IllegalStateException("cluster node did not start", e);
    }
  }

  public ClusterNode node(int i) {
    return nodes.get(i);
  }

  public String uri(int i) {
    return "tcp://127.0.0.1:" + nodes.get(i).mqttPort();
  }

  /** Stops one node gracefully (it leaves the cluster). */
  public void stopNode(int i) {
    try {
      nodes.get(i).stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (ClusterNode n : nodes) {
      try {
        n.stop().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already stopped, or stopping anyway
      }
    }
  }
}
