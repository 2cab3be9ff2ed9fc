package io.meshmq.cluster;

import static io.meshmq.broker.config.Setting.booleanSetting;
import static io.meshmq.broker.config.Setting.enumSetting;
import static io.meshmq.broker.config.Setting.intSetting;
import static io.meshmq.broker.config.Setting.stringSetting;

import io.meshmq.broker.config.Setting;
import java.util.List;

/** Settings of the cluster layer (Hazelcast membership and the clustered event bus). */
public final class ClusterSettings {

  private ClusterSettings() {
  }

  public static final Setting<Boolean> ENABLED = booleanSetting("cluster.enabled", false,
      "Run as a member of a cluster (Hazelcast + clustered event bus); false = a single node without Hazelcast");
  public static final Setting<String> NAME = stringSetting("cluster.name", "meshmq",
      "Only members with the same cluster name form a cluster");
  public static final Setting<String> HOST = stringSetting("cluster.host", "127.0.0.1",
      "Interface Hazelcast binds to and advertises (on Kubernetes: the pod IP, from the environment)");
  public static final Setting<Integer> PORT = intSetting("cluster.port", 5701, 1, 65_535,
      "Hazelcast member port; the next free one is taken when it is in use (up to +9)");
  public static final Setting<String> PUBLIC_ADDRESS = stringSetting("cluster.public-address", "",
      "Address (host:port) the other members use to reach this one, when it differs from cluster.host and the "
          + "bound port (NAT, a proxy); empty = cluster.host and the bound port");
  public static final Setting<String> HAZELCAST_CONFIG = stringSetting("cluster.hazelcast-config", "",
      "Hazelcast YAML file with the maps and properties of the broker's cluster state (backups, merge policies); "
          + "empty = the bundled copy of conf/hazelcast.yaml. Network and discovery come from these settings");
  public static final Setting<Discovery> DISCOVERY = enumSetting("cluster.discovery", Discovery.TCP,
      "How members find each other: tcp (the cluster.members list) or kubernetes (DNS of a headless Service)");
  public static final Setting<String> MEMBERS = stringSetting("cluster.members", "127.0.0.1",
      "tcp discovery: comma-separated member addresses (host or host:port); a host without a port is tried at "
          + "cluster.port, a loopback host at cluster.port to cluster.port + 9");
  public static final Setting<String> KUBERNETES_SERVICE_DNS = stringSetting("cluster.kubernetes.service-dns", "",
      "kubernetes discovery: DNS name of the headless Service, e.g. meshmq-hz.default.svc.cluster.local");
  public static final Setting<Integer> MEMBER_TIMEOUT_SECONDS = intSetting("cluster.member-timeout-seconds", 10, 2, 600,
      "A member that has not been heard from for this long is declared dead (Hazelcast's own default is 60)");
  public static final Setting<Integer> FORWARD_TIMEOUT_SECONDS = intSetting("cluster.forward-timeout-seconds", 10, 1, 3600,
      "How long a node waits for another node to answer a forwarded message before asking again: a node that is "
          + "still a member gets the same forward again (it routes it once) and is waited for; for a node that left, "
          + "the message goes to whichever nodes then have the routes");
  public static final Setting<Integer> JOURNAL_MAX_ENTRY_BYTES = intSetting("cluster.session-journal.max-entry-bytes",
      1 << 20, 4096, 64 << 20,
      "Largest entry of a node's session journal (one batch of its persistent sessions' changes); a larger batch is "
          + "written as several entries at once");
  public static final Setting<Integer> JOURNAL_LINGER_MILLIS = intSetting("cluster.session-journal.linger-millis", 2, 0,
      1000, "How long a batch of persistent sessions' changes stays open before it is written (0: written at the next "
          + "turn of the journal's event loop; a batch also waits for the previous write). A message its subscriber "
          + "acknowledges within it is never written, and its publisher is acknowledged at once; one still waiting "
          + "is acknowledged once written");
  public static final Setting<Integer> JOURNAL_CARRY_FORWARD_SECONDS = intSetting(
      "cluster.session-journal.carry-forward-seconds", 5, 1, 3600,
      "A session journal entry at least this old of which at most half still counts (messages of offline sessions "
          + "among many acknowledged ones) has the rest written again into a new entry, so that it can be deleted");
  public static final Setting<Integer> CONNECT_HOLD_SECONDS = intSetting("cluster.connect-hold-seconds", 20, 1, 3600,
      "How long the CONNECT of a client whose session is on a node that does not answer (dead, not yet declared "
          + "so) waits for that node or for a survivor to recover its sessions, before the client is refused (server "
          + "unavailable) to come back later. A killed process is found dead within a second (its ports refuse), a frozen or "
          + "unreachable one after cluster.member-timeout-seconds: keep this that plus about 10 s for the recovery");
  public static final Setting<Boolean> REBALANCE_ENABLED = booleanSetting("cluster.rebalance.enabled", false,
      "A node holding more than its share of the cluster's connections asks clients to reconnect elsewhere (MQTT 5 "
          + "DISCONNECT 0x9C, 3.1.1 a close); persistent sessions follow. Off: only on demand (POST /api/rebalance)");
  public static final Setting<Integer> REBALANCE_THRESHOLD_PERCENT = intSetting("cluster.rebalance.threshold-percent",
      10, 1, 1000, "Rebalancing starts on a node holding more than the cluster's mean of connections by this much, and "
          + "sheds down to the mean");
  public static final Setting<Integer> REBALANCE_RATE = intSetting("cluster.rebalance.rate", 50, 1, 100_000,
      "Clients a node asks to reconnect elsewhere per second, at most, while rebalancing");
  public static final Setting<Integer> HANDOVER_GRACE_SECONDS = intSetting("cluster.handover-grace-seconds", 5, 1, 600,
      "After a session moved to another node, how long the old node still passes on what arrives for it (until "
          + "every node routes to the new one)");
  public static final Setting<Integer> HANDOVER_READY_TIMEOUT_SECONDS = intSetting(
      "cluster.handover-ready-timeout-seconds", 60, 1, 3600,
      "After handing a session to the node its client reconnected to, how long the old node holds what still arrives "
          + "for it until that node confirms it has the session; past it the hand-over is given up (held messages "
          + "dropped and counted)");
  public static final Setting<Integer> HANDOVER_DEDUPE_SECONDS = intSetting("cluster.handover-dedupe-seconds", 30, 1,
      3600, "How long a session that moved to another node drops messages it already has: for a while a message can "
          + "reach it both through the old node and directly");
  public static final Setting<Integer> REHOME_TIMEOUT_SECONDS = intSetting("cluster.rehome-timeout-seconds", 10, 1, 600,
      "A stopping node waits this long for another node to adopt each of its persistent sessions (within "
          + "shutdown.grace-seconds)");
  public static final Setting<Integer> RECONCILE_INTERVAL_SECONDS = intSetting("cluster.reconcile-interval-seconds", 30,
      1, 3600, "How often each node re-asserts its routes in the cluster table and checks that the cluster registry "
          + "still names it for its connected clients (a healed split brain is reconciled at once besides)");
  public static final Setting<String> EVENTBUS_HOST = stringSetting("cluster.eventbus.host", "127.0.0.1",
      "Interface of the clustered event bus (on Kubernetes: the pod IP)");
  public static final Setting<Integer> EVENTBUS_PORT = intSetting("cluster.eventbus.port", 0, 0, 65_535,
      "Port of the clustered event bus; 0 = any free port (fix it on Kubernetes)");
  public static final Setting<String> EVENTBUS_PUBLIC_HOST = stringSetting("cluster.eventbus.public-host", "",
      "Address other nodes use to reach this node's event bus, when it differs from cluster.eventbus.host");

  /** Member discovery. */
  public enum Discovery {
    TCP, KUBERNETES
  }

  public static List<Setting<?>> all() {
    return List.of(ENABLED, NAME, HOST, PORT, PUBLIC_ADDRESS, HAZELCAST_CONFIG, DISCOVERY, MEMBERS, KUBERNETES_SERVICE_DNS, MEMBER_TIMEOUT_SECONDS,
        FORWARD_TIMEOUT_SECONDS, JOURNAL_MAX_ENTRY_BYTES, JOURNAL_LINGER_MILLIS, JOURNAL_CARRY_FORWARD_SECONDS, CONNECT_HOLD_SECONDS, REBALANCE_ENABLED, REBALANCE_THRESHOLD_PERCENT, REBALANCE_RATE, HANDOVER_GRACE_SECONDS, HANDOVER_READY_TIMEOUT_SECONDS, HANDOVER_DEDUPE_SECONDS, REHOME_TIMEOUT_SECONDS, RECONCILE_INTERVAL_SECONDS, EVENTBUS_HOST, EVENTBUS_PORT, EVENTBUS_PUBLIC_HOST);
  }
}
