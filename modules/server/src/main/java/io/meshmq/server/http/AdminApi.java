package io.meshmq.server.http;

import io.meshmq.broker.BrokerNode;
import io.meshmq.broker.session.Session;
import io.meshmq.broker.session.Subscription;
import io.meshmq.cluster.ClusterNode;
import io.meshmq.core.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The admin REST API under {@code /api}: clients (list, find, disconnect), subscriptions, routes (filter -> nodes),
 * retained messages (find, delete) and the cluster's members. Every request needs {@code Authorization: Bearer <admin.token>}. Clients and
 * subscriptions are this node's: in a cluster, ask the node a client is connected to.
 */
final class AdminApi {

  static final String PREFIX = "/api/";
  /** How long a session's actor gets to answer before the request fails (a session whose loop is stuck). */
  private static final long SESSION_TIMEOUT_MILLIS = 5_000;

  private final Vertx vertx;
  private final OpsTarget target;
  private final byte[] token;

  AdminApi(Vertx vertx, OpsTarget target, String token) {
    this.vertx = vertx;
    this.target = target;
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  void handle(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth == null || !MessageDigest.isEqual(token, auth.trim().getBytes(StandardCharsets.UTF_8))) {
      req.response().putHeader("WWW-Authenticate", "Bearer realm=\"meshmq\"");
      HttpListener.json(req, 401, new JsonObject().put("error", "unauthorized"));
      return;
    }
    String rest = req.path().substring(PREFIX.length());
    HttpMethod method = req.method();
    Future<Reply> reply;
    try {
      reply = route(method, rest, req);
    } catch (IllegalArgumentException e) {
      reply = Future.succeededFuture(Reply.error(400, e.getMessage()));
    }
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        HttpListener.json(req, ar.result().status(), ar.result().body());
      } else {
        HttpListener.json(req, 500, new JsonObject().put("error", String.valueOf(ar.cause().getMessage())));
      }
    });
  }

  private Future<Reply> route(HttpMethod method, String rest, HttpServerRequest req) {
    if (rest.equals("clients") && method == HttpMethod.GET) {
      return listClients().map(Reply::ok);
    }
    if (rest.startsWith("clients/") && rest.length() > "clients/".length()) {
      String id = decode(rest.substring("clients/".length()));
      if (method == HttpMethod.GET) {
        return findClient(id);
      }
      if (method == HttpMethod.DELETE) {
        return disconnect(id);
      }
      return Future.succeededFuture(Reply.error(405, "method not allowed"));
    }
    if (rest.equals("subscriptions") && method == HttpMethod.GET) {
      return listSubscriptions().map(Reply::ok);
    }
    if (rest.equals("retained") && method == HttpMethod.GET) {
      String filter = req.getParam("filter", "#");
      if (!node().topicRules().isValidFilter(filter)) {
        return Future.succeededFuture(Reply.error(400, "invalid topic filter: " + filter));
      }
      return node().retained().match(filter).map(messages -> {
        JsonArray out = new JsonArray();
        messages.stream().sorted(Comparator.comparing(Message::topic)).forEach(m -> out.add(retained(m)));
        return Reply.ok(out);
      });
    }
    if (rest.startsWith("retained/") && rest.length() > "retained/".length() && method == HttpMethod.DELETE) {
      return clearRetained(decode(rest.substring("retained/".length())));
    }
    if (rest.equals("routes") && method == HttpMethod.GET) {
      return Future.succeededFuture(Reply.ok(routes()));
    }
    if (rest.equals("rebalance") && method == HttpMethod.POST) {
      return Future.succeededFuture(rebalance());
    }
    if (rest.equals("cluster") && method == HttpMethod.GET) {
      return Future.succeededFuture(Reply.ok(cluster()));
    }
    return Future.succeededFuture(Reply.error(404, "no such resource: " + req.method() + " " + req.path()));
  }

  private BrokerNode node() {
    return target.broker().node();
  }

  // ---------------------------------------------------------------- clients and subscriptions

  private Future<JsonArray> listClients() {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (Session s : node().sessions().all()) {
      all.add(describe(s));
    }
    return Future.join(all).map(done -> {
      JsonArray out = new JsonArray();
      all.stream().filter(Future::succeeded).map(Future::result)
          .sorted(Comparator.comparing(o -> o.getString("clientId")))
          .forEach(out::add);
      return out;
    });
  }

  private Future<Reply> findClient(String id) {
    Session s = node().sessions().get(id);
    if (s == null) {
      return Future.succeededFuture(Reply.error(404, "no client " + id + " on this node"));
    }
    return describe(s).map(Reply::ok);
  }

  private Future<Reply> disconnect(String id) {
    Session s = node().sessions().get(id);
    if (s == null || s.hasEnded()) {
      return Future.succeededFuture(Reply.error(404, "no client " + id + " on this node"));
    }
    // Through the session's actor: takes the connection down (MQTT 5: DISCONNECT 0x8E) and ends the session.
    Promise<Reply> done = Promise.promise();
    s.execute(() -> {
      s.discard();
      done.tryComplete(Reply.ok(new JsonObject().put("clientId", id).put("disconnected", true)));
    });
    return withTimeout(done);
  }

  private Future<JsonArray> listSubscriptions() {
    List<Future<JsonArray>> all = new ArrayList<>();
    for (Session s : node().sessions().all()) {
      all.add(onSession(s, () -> {
        JsonArray subs = new JsonArray();
        for (Subscription sub : s.subscriptions()) {
          subs.add(subscription(sub).put("clientId", s.clientId()));
        }
        return subs;
      }));
    }
    return Future.join(all).map(done -> {
      List<JsonObject> rows = new ArrayList<>();
      all.stream().filter(Future::succeeded).forEach(f -> f.result().forEach(o -> rows.add((JsonObject) o)));
      rows.sort(Comparator.comparing((JsonObject o) -> o.getString("clientId")).thenComparing(o -> o.getString("filter")));
      return new JsonArray(new ArrayList<>(rows));
    });
  }

  /** A session's state, read on its owner context (the actor's state is not safe to read elsewhere). */
  private Future<JsonObject> describe(Session s) {
    return onSession(s, () -> {
      JsonArray subs = new JsonArray();
      s.subscriptions().stream().sorted(Comparator.comparing(Subscription::fullFilter))
          .forEach(sub -> subs.add(subscription(sub)));
      JsonObject o = new JsonObject()
          .put("clientId", s.clientId())
          .put("online", s.isOnline())
          .put("node", node().nodeId());
      if (s.protocolVersion() > 0) {
        o.put("protocolVersion", s.protocolVersion()).put("protocol", protocolName(s.protocolVersion()))
            .put("keepAliveSeconds", s.keepAliveSeconds());
      }
      String address = s.remoteAddress();
      if (address != null) {
        o.put("address", address);
      }
      return o.put("subscriptions", subs).put("queued", s.queuedCount()).put("inflight", s.inflightCount());
    });
  }

  private <T> Future<T> onSession(Session s, java.util.function.Supplier<T> read) {
    Promise<T> p = Promise.promise();
    s.execute(() -> {
      try {
        p.tryComplete(read.get());
      } catch (RuntimeException e) {
        p.tryFail(e);
      }
    });
    return withTimeout(p);
  }

  private <T> Future<T> withTimeout(Promise<T> p) {
    long timer = vertx.setTimer(SESSION_TIMEOUT_MILLIS, id -> p.tryFail("the session did not answer in time"));
    return p.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private static JsonObject subscription(Subscription sub) {
    JsonObject o = new JsonObject().put("filter", sub.fullFilter()).put("qos", sub.qos());
    if (sub.isShared()) {
      o.put("shareGroup", sub.shareGroup());
    }
    if (sub.noLocal()) {
      o.put("noLocal", true);
    }
    if (sub.subscriptionId() > 0) {
      o.put("subscriptionId", sub.subscriptionId());
    }
    return o;
  }

  private static String protocolName(int version) {
    return switch (version) {
      case 3 -> "3.1";
      case 4 -> "3.1.1";
      case 5 -> "5.0";
      default -> String.valueOf(version);
    };
  }

  // ---------------------------------------------------------------- retained

  private Future<Reply> clearRetained(String topic) {
    if (!node().topicRules().isValidName(topic)) {
      return Future.succeededFuture(Reply.error(400, "invalid topic name: " + topic));
    }
    return node().retained().get(topic).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(Reply.error(404, "no retained message on " + topic));
      }
      // An empty retained payload clears the topic, in the store every node shares.
      return node().retained().put(Message.of(topic, new byte[0], 0, true))
          .map(v -> Reply.ok(new JsonObject().put("topic", topic).put("deleted", true)));
    });
  }

  private static JsonObject retained(Message m) {
    JsonObject o = new JsonObject().put("topic", m.topic()).put("qos", m.qos()).put("size", m.payload().length);
    String text = utf8(m.payload());
    if (text != null) {
      o.put("payload", text);
    } else {
      o.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
    }
    if (m.expires()) {
      o.put("expiresInSeconds", m.remainingExpirySeconds(System.currentTimeMillis()));
    }
    return o;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- cluster

  private static JsonObject journal(ClusterNode.JournalFigures j) {
    return new JsonObject().put("entriesWritten", j.entriesWritten()).put("recordsWritten", j.recordsWritten())
        .put("bytesWritten", j.bytesWritten()).put("writeRetries", j.writeRetries())
        .put("entriesDeleted", j.entriesDeleted()).put("liveItems", j.liveItems());
  }

  private JsonObject cluster() {
    ClusterNode cluster = target.cluster();
    JsonObject o = new JsonObject().put("clustered", cluster != null).put("node", node().nodeId());
    if (cluster == null) {
      return o.put("members", new JsonArray().add(node().nodeId()));
    }
    List<String> members = new ArrayList<>(cluster.memberNodeIds());
    members.sort(null);
    return o.put("members", new JsonArray(new ArrayList<>(members)))
        .put("routeTableSize", cluster.routeTableSize())
        .put("draining", cluster.isDraining())
        .put("forwarded", cluster.forwardedCount())
        .put("forwardFailures", cluster.forwardFailures())
        .put("forwardedUnmatched", cluster.forwardedUnmatched())
        .put("forwardsResent", cluster.forwardsResent())
        .put("forwardDuplicatesIgnored", cluster.forwardDuplicatesIgnored())
        .put("sessionJournal", journal(cluster.journalFigures()))
        .put("stalledConnectionsClosed", cluster.stalledHandshakesClosed())
        .put("connections", new JsonObject(new java.util.LinkedHashMap<>(cluster.connectionsPerNode())))
        .put("connectionsMoved", cluster.connectionsMoved());
  }

  /** Every node sheds the connections it holds above the cluster's mean, at cluster.rebalance.rate, for a minute. */
  private Reply rebalance() {
    ClusterNode cluster = target.cluster();
    if (cluster == null) {
      return Reply.error(409, "not clustered: there is no other node to move connections to");
    }
    cluster.rebalance();
    return Reply.ok(new JsonObject().put("rebalancing", true).put("nodes", cluster.memberNodeIds().size())
        .put("connections", new JsonObject(new java.util.LinkedHashMap<>(cluster.connectionsPerNode()))));
  }

  /** Filter (or $share/group/filter) -> the nodes that have subscribers to it; standalone: this node's filters. */
  private JsonArray routes() {
    JsonArray out = new JsonArray();
    ClusterNode cluster = target.cluster();
    if (cluster == null) {
      for (String filter : node().subscriptions().routeKeys()) {
        out.add(new JsonObject().put("filter", filter).put("nodes", new JsonArray().add(node().nodeId())));
      }
      return out;
    }
    cluster.routeSnapshot().forEach((filter, nodes) ->
        out.add(new JsonObject().put("filter", filter).put("nodes", new JsonArray(new ArrayList<>(nodes)))));
    return out;
  }

  private static String decode(String pathPart) {
    // Percent-decoding only: '+' is a legal character of client ids and topics, not a space, in a path.
    return URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** A status and a JSON body (object or array). */
  record Reply(int status, Object body) {
    static Reply ok(Object body) {
      return new Reply(200, body);
    }

    static Reply error(int status, String message) {
      return new Reply(status, new JsonObject().put("error", message));
    }
  }
}
