package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.auth.Authenticator;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.Acl;
import io.meshmq.broker.security.FileAuthorizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes with the ACL "deny all * subscribe test/nosubscribe, allow all * both #": a '#' subscriber on
 * node B is granted, and of what a client on node A publishes it gets test/other but never test/nosubscribe. The
 * message crosses the nodes either way (the route is '#'); the subscriber's node withholds it.
 */
class NarrowedSubscriptionAcrossNodesTest {

  private static final Acl ACL = Acl.parse("acl", List.of(
      "deny  all * subscribe test/nosubscribe",
      "allow all * both      #"));

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<MqttClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnectForcibly(100, 100);
      }
      c.close();
    }
    for (ClusterNode n : nodes) {
      n.stop().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aHashSubscriberOnNodeBNeverGetsTheDeniedTopicPublishedOnNodeA() throws Exception {
    Settings settings = Settings.of(BrokerSettings.TCP_PORT, 0, BrokerSettings.TCP_HOST, "127.0.0.1",
        BrokerSettings.SYS_INTERVAL_SECONDS, 0, BrokerSettings.EVENT_LOOPS, 2,
        ClusterSettings.NAME, "acl-test-" + UUID.randomUUID(), ClusterSettings.MEMBER_TIMEOUT_SECONDS, 4);
    for (int i = 0; i < 2; i++) {
      nodes.add(ClusterNode.start(settings, Authenticator.ALLOW_ALL, new FileAuthorizer(() -> ACL, false))
          .await(60, TimeUnit.SECONDS));
    }
    MqttClient sub = connect(nodes.get(1), "sub-b");
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    BlockingQueue<String> probes = new LinkedBlockingQueue<>();
    sub.subscribe("#", 1, (t, m) -> (t.equals("probe") ? probes : got).add(t));
    MqttClient pub = connect(nodes.get(0), "pub-a");
    // The route of '#' reached node A once a probe published there arrives.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      pub.publish("probe", new byte[] {1}, 0, false);
      return probes.poll(50, TimeUnit.MILLISECONDS) != null;
    });

    pub.publish("test/nosubscribe", "denied".getBytes(StandardCharsets.UTF_8), 1, false);
    pub.publish("test/other", "allowed".getBytes(StandardCharsets.UTF_8), 1, false);
    // Same publisher, one ordered channel between the nodes: the denied message would have come first.
    assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("test/other");
    assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(nodes.get(1).broker().node().sessions().get("sub-b").subscription("#").gate())
        .as("granted narrowed on the subscriber's node").isNotNull();
  }

  private MqttClient connect(ClusterNode node, String id) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + node.mqttPort(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    c.connect(o);
    clients.add(c);
    return c;
  }
}
