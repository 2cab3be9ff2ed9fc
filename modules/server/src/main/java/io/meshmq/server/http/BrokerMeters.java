package io.meshmq.server.http;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.sys.AuthFailure;
import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.broker.sys.Limit;
import io.meshmq.cluster.ClusterNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus registry: broker meters read on scrape from the counters the broker already keeps
 * ({@link BrokerStats}' LongAdders, table sizes), so the hot path counts once; plus JVM and process metrics.
 * One registry per node, so that several nodes in one JVM (tests) do not mix their meters.
 */
final class BrokerMeters implements AutoCloseable {

  private static final String DROPPED_HELP = "Messages dropped, by reason: queue_full (QoS 1/2: a session queue was full "
      + "and its publishers could not be held back), qos0_for_room (a QoS 0 message without room in a full queue), expired (MQTT 5 expiry passed), too_large "
      + "(above the client's Maximum Packet Size), qos0_unwritable (socket not writable), no_session (session ended)";

  private static final String LIMIT_HELP = limitHelp();

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  BrokerMeters(OpsTarget target) {
    BrokerNode node = target.broker().node();
    BrokerStats s = node.stats();
    registry.config().commonTags("node", node.nodeId());

    gauge("meshmq.connections.current", "Clients connected now", s, st -> st.clientsConnected.sum());
    counter("meshmq.connections", "CONNECT packets received (accepted or refused)", s.connectionsTotal);
    counter("meshmq.connects.accepted", "CONNECTs accepted (CONNACK success); its rate is the connects per second",
        s.connectsAccepted);
    for (int qos = 0; qos <= 2; qos++) {
      byQos("meshmq.messages.received", "Messages received from publishers, by QoS", qos, s.receivedAtQos(qos));
      byQos("meshmq.messages.sent", "Messages sent to subscribers, by the QoS they were sent at", qos, s.sentAtQos(qos));
    }
    gauge("meshmq.queued.messages", "Messages waiting in this node's session queues (offline clients, full "
        + "in-flight windows)", s.queuedMessages, LongAdder::sum);
    gauge("meshmq.inflight.messages", "QoS 1/2 messages sent to this node's clients and not yet acknowledged",
        s.inflightMessages, LongAdder::sum);
    counter("meshmq.publish.received", "PUBLISH packets received", s.publishReceived);
    counter("meshmq.publish.sent", "PUBLISH packets sent", s.publishSent);
    counter("meshmq.received.bytes", "Bytes of PUBLISH packets received", s.bytesReceived);
    counter("meshmq.sent.bytes", "Bytes of PUBLISH packets sent", s.bytesSent);
    dropped("queue_full", s.droppedQueueFull);
    dropped("qos0_for_room", s.droppedQos0ForRoom);
    dropped("expired", s.droppedExpired);
    dropped("too_large", s.droppedTooLarge);
    dropped("qos0_unwritable", s.droppedQos0Unwritable);
    dropped("no_session", s.droppedNoSession);
    counter("meshmq.slow.consumer.disconnects", "Clients disconnected for not reading what was sent to them",
        s.slowConsumerDisconnects);
    counter("meshmq.protocol.errors", "Connections closed for a protocol error", s.protocolErrors);
    counter("meshmq.publish.denied", "PUBLISH packets the authorizer refused", s.publishDenied);
    for (Limit limit : Limit.values()) {
      FunctionCounter.builder("meshmq.limit.reached", s.limitReachedCounter(limit), LongAdder::sum)
          .description(LIMIT_HELP).tag("limit", limit.label()).register(registry);
    }
    FunctionCounter.builder("meshmq.publish.throttled.seconds", s.publishThrottledNanos, a -> a.sum() / 1e9)
        .description("Time publishers' sockets were not read because of mqtt.max-publish-rate / max-publish-bytes-rate")
        .register(registry);
    for (AuthFailure reason : AuthFailure.values()) {
      FunctionCounter.builder("meshmq.auth.failures", s.authFailureCounter(reason), LongAdder::sum)
          .description("CONNECTs refused by authentication, by reason: bad_credentials (unknown user, wrong password), "
              + "blocked (address over auth.failed-login-limit), anonymous (not allowed), not_authorized (other "
              + "refusals, e.g. a will topic), error (authenticator failed or timed out)")
          .tag("reason", reason.label()).register(registry);
    }
    counter("meshmq.subscriptions.revoked", "Subscriptions removed because a changed ACL no longer allows them",
        s.subscriptionsRevoked);
    gauge("meshmq.sessions", "Sessions held by this node (online and offline)", node, n -> n.sessions().size());
    gauge("meshmq.subscriptions", "Subscriptions of this node's sessions", node, n -> n.subscriptions().size());
    gauge("meshmq.subscription.filters", "Distinct filters this node's sessions subscribe to (its own routes)", node,
        n -> n.subscriptions().filterCount());
    gauge("meshmq.retained.messages", "Retained messages", node, n -> n.retained().size());

    ClusterNode cluster = target.cluster();
    if (cluster != null) {
      gauge("meshmq.cluster.members", "Members of the cluster, this node included", cluster,
          c -> c.memberNodeIds().size());
      gauge("meshmq.cluster.routes", "Routes in this node's route table (other nodes' plus its own filters)",
          cluster, ClusterNode::routeTableSize);
      FunctionCounter.builder("meshmq.cluster.forwards", cluster, ClusterNode::forwardedCount)
          .description("Messages forwarded to other nodes over the event bus").register(registry);
      FunctionCounter.builder("meshmq.cluster.forward.failures", cluster, ClusterNode::forwardFailures)
          .description("Forwards to other nodes that failed or timed out").register(registry);
      FunctionCounter.builder("meshmq.cluster.connections.moved", cluster, ClusterNode::connectionsMoved)
          .description("Clients this node asked to reconnect to another node to even the cluster's load (rebalancing)")
          .register(registry);
      FunctionCounter.builder("meshmq.cluster.forwards.resent", cluster, ClusterNode::forwardsResent)
          .description("Forwards sent again to a node that is alive but had not answered in time (it routes them once)")
          .register(registry);
      FunctionCounter.builder("meshmq.cluster.forwards.duplicates", cluster, ClusterNode::forwardDuplicatesIgnored)
          .description("Copies of forwards other nodes sent again that this node had already: answered, not routed twice")
          .register(registry);
      FunctionCounter.builder("meshmq.session.journal.entries", cluster, n -> n.journalFigures().entriesWritten())
          .description("Entries (batches of persistent sessions' changes) this node wrote to its session journal")
          .register(registry);
      FunctionCounter.builder("meshmq.session.journal.records", cluster, n -> n.journalFigures().recordsWritten())
          .description("Records in those entries (a message taken, acknowledged, a QoS 2 id held or released)")
          .register(registry);
      FunctionCounter.builder("meshmq.session.journal.bytes", cluster, n -> n.journalFigures().bytesWritten())
          .description("Bytes written to the session journal").baseUnit("bytes").register(registry);
      FunctionCounter.builder("meshmq.session.journal.write.retries", cluster, n -> n.journalFigures().writeRetries())
          .description("Session journal writes that failed (a backup that did not answer, a member that left) and were "
              + "written again; their publishers waited").register(registry);
      gauge("meshmq.session.journal.live", "Messages and QoS 2 ids this node's persistent sessions have on record",
          cluster, n -> n.journalFigures().liveItems());
      FunctionCounter.builder("meshmq.cluster.forwards.unmatched", cluster, ClusterNode::forwardedUnmatched)
          .description("Messages other nodes forwarded here that matched no subscription here").register(registry);
      FunctionCounter.builder("meshmq.cluster.stalled.connections.closed", cluster, ClusterNode::stalledHandshakesClosed)
          .description("Cluster connections closed because a non-member accepted them and never answered (a frozen "
              + "process)").register(registry);
    }

    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** The Prometheus text exposition format (0.0.4). */
  String scrape() {
    return registry.scrape();
  }

  MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  private static String limitHelp() {
    StringBuilder help = new StringBuilder("Times a configured limit was reached, by limit:");
    for (Limit limit : Limit.values()) {
      help.append(' ').append(limit.label()).append(" (").append(limit.meaning()).append(')');
    }
    return help.toString();
  }

  private void counter(String name, String description, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
  }

  private void byQos(String name, String description, int qos, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(description)
        .tag("qos", String.valueOf(qos)).register(registry);
  }

  private void dropped(String reason, LongAdder adder) {
    FunctionCounter.builder("meshmq.messages.dropped", adder, LongAdder::sum)
        .description(DROPPED_HELP)
        .tag("reason", reason).register(registry);
  }

  private <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }
}
