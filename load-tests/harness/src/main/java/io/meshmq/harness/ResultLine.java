package io.meshmq.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.HdrHistogram.Histogram;

/** The one JSON line a scenario prints: what ran, what was sent and received per message, and how fast. */
final class ResultLine {

  private final JsonObject json = new JsonObject();

  ResultLine(String scenario, TargetOptions target) {
    json.put("scenario", scenario).put("label", target.label).put("host", target.host).put("port", target.port)
        .put("sub_port", target.subscriberPort()).put("cross_node", target.crossNode())
        .put("payload_bytes", target.payloadBytes);
    if (target.subPorts != null) {
      json.put("sub_ports", new JsonArray(List.copyOf(target.subPorts)));
    }
  }

  ResultLine put(String key, Object value) {
    json.put(key, value);
    return this;
  }

  /**
   * Sent, expected (sent times the subscribers), received, lost (expected minus distinct received), duplicated and
   * out of order, counted per message from the sequence numbers.
   */
  ResultLine deliveries(long[] sentPerPublisher, List<DeliveryLedger> ledgers) {
    long sent = 0;
    for (long s : sentPerPublisher) {
      sent += s;
    }
    long received = 0;
    long lost = 0;
    long duplicated = 0;
    long outOfOrder = 0;
    for (DeliveryLedger l : ledgers) {
      received += l.received();
      duplicated += l.duplicated();
      outOfOrder += l.outOfOrder();
      for (int p = 0; p < sentPerPublisher.length; p++) {
        lost += sentPerPublisher[p] - l.distinct(p);
      }
    }
    return put("sent", sent).put("expected", sent * ledgers.size()).put("received", received).put("lost", lost)
        .put("duplicated", duplicated).put("out_of_order", outOfOrder);
  }

  /** Percentiles in milliseconds, under {@code prefix}_p50_ms and so on. */
  ResultLine percentiles(String prefix, Histogram micros) {
    return put(prefix + "_count", micros.getTotalCount())
        .put(prefix + "_p50_ms", millis(micros.getValueAtPercentile(50)))
        .put(prefix + "_p99_ms", millis(micros.getValueAtPercentile(99)))
        .put(prefix + "_p999_ms", millis(micros.getValueAtPercentile(99.9)))
        .put(prefix + "_max_ms", millis(micros.getMaxValue()));
  }

  static Histogram merged(List<Histogram> histograms) {
    Histogram all = new Histogram(3);
    for (Histogram h : histograms) {
      all.add(h);
    }
    return all;
  }

  ResultLine errors(List<String> errors) {
    return put("errors", new JsonArray(List.copyOf(errors)));
  }

  private static double millis(long micros) {
    return Math.round(micros) / 1000.0;
  }

  @Override
  public String toString() {
    return json.encode();
  }
}
