package io.meshmq.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.vertx.core.Promise;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a node's reconciliation round does with the cluster registry entry of a client connected to it: one that
 * went missing is claimed again, but only when two rounds in a row miss it (right after a merge the other side's
 * entries may still be on their way); one that names another node takes the client down here only when that node
 * is a member (it connected there last), not when it has left.
 */
class RegistryRepairTest {

  private ClusterFixture cluster;
  private ClusterNode a;
  private IMap<String, String> registry;

  /** Two nodes whose rounds are the test's own: a periodic one in between would be a check it did not make. */
  @BeforeEach
  void startTwoNodesWithoutPeriodicRounds() {
    cluster = ClusterFixture.start(2, ClusterSettings.RECONCILE_INTERVAL_SECONDS, 3600);
    a = cluster.node(0);
    registry = a.hazelcast().getMap(HazelcastConfigs.CLIENTS);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aMissingEntryIsClaimedAgainOnlyWhenTwoRoundsInARowMissIt() throws Exception {
    MqttClient client = connect("repair-me");
    assertThat(ClientClaim.node(registry.get("repair-me"))).isEqualTo(a.nodeId());

    registry.delete("repair-me");
    round(a);
    assertThat(registry.get("repair-me")).as("after one round that missed it").isNull();
    round(a);
    assertThat(ClientClaim.node(registry.get("repair-me"))).as("after the second").isEqualTo(a.nodeId());
    assertThat(client.isConnected()).isTrue();

    // A miss, then the entry back (the merge delivered it): the count starts again.
    registry.delete("repair-me");
    round(a);
    registry.set("repair-me", ClientClaim.now(a.nodeId()));
    round(a);
    registry.delete("repair-me");
    round(a);
    assertThat(registry.get("repair-me")).as("one miss after a round that found it").isNull();
    client.disconnect();
  }

  @Test
  void anEntryNamingAnotherNodeTakesTheClientDownOnlyWhenThatNodeIsAMember() throws Exception {
    MqttClient client = connect("keep-me");
    registry.set("keep-me", ClientClaim.now("a-node-that-left"));
    round(a);
    round(a);
    assertThat(client.isConnected()).isTrue();

    // Whereas an entry naming the other member means the client connected there last: taken down here.
    registry.set("keep-me", ClientClaim.now(cluster.node(1).nodeId()));
    round(a);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !client.isConnected());
  }

  private MqttClient connect(String id) throws Exception {
    MqttClient c = new MqttClient(cluster.uri(0), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setAutomaticReconnect(false);
    c.connect(o);
    return c;
  }

  /** One reconciliation round of the node, on a context of its own Vert.x, awaited. */
  private static void round(ClusterNode node) throws Exception {
    Promise<Void> done = Promise.promise();
    node.vertx().runOnContext(v -> node.reconciler().run().onComplete(done));
    done.future().await(30, TimeUnit.SECONDS);
  }
}
