package io.meshmq.process;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a running node says about itself over its HTTP listener, for failure reports: its cluster view and forward
 * counters, the routes it holds for a topic prefix, one client's session (online, subscriptions, in flight, queued)
 * and its drop and limit counters. Lets a report tell a route the publisher's node lost from a session that stopped
 * sending. Never throws: a node that does not answer says so.
 */
final class NodeState {

  /** The admin API token the process tests give their nodes ({@code admin.token}). */
  static final String TOKEN = "process-test-admin";

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern COUNTERS =
      Pattern.compile("^meshmq_(messages_dropped|limit_reached|cluster_forward|inflight|queued|slow_consumer)");

  private NodeState() {
  }

  /** Settings that turn on the admin API the report reads. */
  static java.util.Map<String, String> adminSettings() {
    return java.util.Map.of("admin.enabled", "true", "admin.token", TOKEN);
  }

  static String describe(BrokerProcess node, String routePrefix, String clientId) {
    StringBuilder b = new StringBuilder("--- ").append(node.name()).append(" (pid ").append(node.pid()).append(")\n");
    int port = node.httpPort();
    if (!node.isAlive() || port <= 0) {
      return b.append("  not running or no HTTP port\n").toString();
    }
    b.append("  cluster: ").append(get(port, "/api/cluster")).append('\n');
    String routes = get(port, "/api/routes");
    b.append("  routes for ").append(routePrefix).append("*: ");
    b.append(java.util.Arrays.stream(routes.split("\\},\\{"))
        .filter(r -> r.contains(routePrefix)).collect(Collectors.joining("}, {"))).append('\n');
    b.append("  client ").append(clientId).append(": ")
        .append(get(port, "/api/clients/" + URLEncoder.encode(clientId, StandardCharsets.UTF_8))).append('\n');
    String metrics = get(port, "/metrics");
    metrics.lines().filter(l -> COUNTERS.matcher(l).find()).forEach(l -> b.append("  ").append(l).append('\n'));
    return b.toString();
  }

  private static String get(int port, String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(5)).GET().build();
      HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return "(no answer: " + e + ")";
    }
  }
}
