package io.meshmq.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.IMqttToken;

/**
 * One numbered QoS 1 stream from a publisher on one node to many persistent subscribers on another, all recorded in
 * one {@link Ledger}: the set-up the fan-out process tests share. The subscribers connect and subscribe all at once;
 * the stream starts once the route from the publisher's node to theirs is in place.
 */
final class FanOutStream implements AutoCloseable {

  final String base;
  final Ledger ledger = new Ledger();
  final List<Ledger.Receiver> receivers = new ArrayList<>();
  final List<NumberedSubscriber> subscribers = new ArrayList<>();
  final NumberedPublisher publisher;
  private final ProcessCluster cluster;

  /**
   * @param keepAliveSeconds the subscribers' keep-alive (Paho's default in these tests is 10 s)
   */
  FanOutStream(ProcessCluster cluster, String name, BrokerProcess publisherNode, BrokerProcess subscriberNode,
               int subscriberCount, int keepAliveSeconds) throws Exception {
    this.cluster = cluster;
    String run = UUID.randomUUID().toString().substring(0, 8);
    this.base = name + "/" + run + "/";
    for (int i = 0; i < subscriberCount; i++) {
      Ledger.Receiver r = ledger.receiver(name + "-" + run + "-" + i, seq -> true);
      receivers.add(r);
      subscribers.add(new NumberedSubscriber(r.name(), new String[] {subscriberNode.uri()}, r, cluster::nameOf)
          .keepAlive(keepAliveSeconds));
    }
    connectAll(subscribers);
    List<IMqttToken> tokens = new ArrayList<>();
    for (NumberedSubscriber s : subscribers) {
      tokens.add(s.startSubscribe(base + "#"));
    }
    for (int i = 0; i < subscribers.size(); i++) {
      subscribers.get(i).subscribed(tokens.get(i), base + "#", Duration.ofSeconds(30));
    }
    publisher = new NumberedPublisher(name + "-pub-" + run, new String[] {publisherNode.uri()}, true,
        seq -> base + "data", ledger, 100, cluster::nameOf);
    publisher.connect(Duration.ofSeconds(10));
    subscribers.get(0).awaitRoute(publisher.client(), base + "probe", Duration.ofSeconds(20));
  }

  /** Connects the subscribers all at once; returns how many got CONNACK with session present. */
  static int connectAll(List<NumberedSubscriber> subscribers) throws Exception {
    List<IMqttToken> tokens = new ArrayList<>();
    for (NumberedSubscriber s : subscribers) {
      tokens.add(s.startConnect());
    }
    int present = 0;
    for (int i = 0; i < subscribers.size(); i++) {
      if (subscribers.get(i).connected(tokens.get(i), Duration.ofSeconds(30))) {
        present++;
      }
    }
    return present;
  }

  /** The subscribers' connections go (their sessions stay on the broker). */
  void dropSubscribers() {
    NumberedSubscriber.closeAll(subscribers);
    subscribers.clear();
  }

  /** Reconnects every subscriber's client id to {@code node}; returns how many got their session back. */
  int reconnectSubscribers(BrokerProcess node) throws Exception {
    return reconnectSubscribers(node, 5);
  }

  /** The same, each connect waiting up to {@code connectionTimeoutSeconds} for its CONNACK (held by the broker). */
  int reconnectSubscribers(BrokerProcess node, int connectionTimeoutSeconds) throws Exception {
    for (Ledger.Receiver r : receivers) {
      subscribers.add(new NumberedSubscriber(r.name(), new String[] {node.uri()}, r, cluster::nameOf)
          .connectionTimeout(connectionTimeoutSeconds));
    }
    return connectAll(subscribers);
  }

  /** Waits (bounded) until every subscriber has every acknowledged message, then counts over all of them. */
  Losses losses(Duration eachWait) throws InterruptedException {
    long lost = 0;
    long duplicated = 0;
    StringBuilder first = new StringBuilder();
    for (Ledger.Receiver r : receivers) {
      r.awaitAckedReceived(eachWait);
      List<Integer> l = r.lost();
      lost += l.size();
      duplicated += r.duplicated().size();
      if (!l.isEmpty() && first.length() < 2_000) {
        first.append("  ").append(r.name()).append(": ").append(Ledger.ranges(l)).append('\n');
      }
    }
    return new Losses(lost, duplicated, first.toString());
  }

  /** Acknowledged messages some subscriber never got, messages some subscriber got twice (summed over them). */
  record Losses(long lost, long duplicated, String firstLosses) {
  }

  @Override
  public void close() {
    NumberedSubscriber.closeAll(subscribers);
    publisher.close();
  }
}
