package io.meshmq.server.http;

import io.meshmq.broker.config.Settings;
import io.meshmq.server.config.ServerSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations HTTP listener on {@code http.host:http.port}: {@code /health/live}, {@code /health/ready},
 * {@code /health/cluster-safe}, {@code /metrics} (Prometheus) and, when {@code admin.enabled} with an
 * {@code admin.token}, the admin REST API under {@code /api/} (otherwise 404 there). Health and metrics need no token.
 */
public final class HttpListener extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** The longest {@code /health/cluster-safe?wait-seconds=} honoured: a held request is bounded whatever it asks. */
  static final int MAX_WAIT_SECONDS = 600;

  private final OpsTarget target;
  private final String host;
  private final int port;
  private final String adminToken;
  private BrokerMeters meters;
  private Readiness readiness;
  private ClusterSafety clusterSafety;
  private AdminApi admin;
  private HttpServer server;
  private volatile int actualPort;

  public HttpListener(OpsTarget target, Settings settings) {
    this.target = target;
    this.host = settings.get(ServerSettings.HTTP_HOST);
    this.port = settings.get(ServerSettings.HTTP_PORT);
    this.adminToken = settings.get(ServerSettings.ADMIN_ENABLED) ? settings.get(ServerSettings.ADMIN_TOKEN) : "";
  }

  @Override
  public Future<?> start() {
    meters = new BrokerMeters(target);
    readiness = new Readiness(target);
    clusterSafety = new ClusterSafety(vertx, target);
    admin = adminToken.isEmpty() ? null : new AdminApi(vertx, target, adminToken);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    return server.requestHandler(this::handle).listen().map(s -> {
      actualPort = s.actualPort();
      log.info("HTTP listener on http://{}:{} (health, metrics{})", host, actualPort,
          admin == null ? "; admin API off" : ", admin API");
      return s;
    });
  }

  @Override
  public Future<?> stop() {
    if (meters != null) {
      meters.close();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the listener is bound to (the real one when configured as 0). */
  public int actualPort() {
    return actualPort;
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    boolean get = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
    try {
      if (path.equals("/health/live") && get) {
        json(req, 200, new JsonObject().put("status", "UP"));
      } else if (path.equals("/health/ready") && get) {
        JsonObject verdict = readiness.check();
        json(req, HealthVerdict.httpStatus(verdict), verdict);
      } else if (path.equals("/health/cluster-safe") && get) {
        clusterSafety(req);
      } else if (path.equals("/metrics") && get) {
        // Gauges read table sizes and cluster membership: cheap, but kept off the event loop anyway.
        vertx.executeBlocking(meters::scrape, false).onComplete(ar -> {
          if (ar.succeeded()) {
            req.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(ar.result());
          } else {
            log.warn("Metrics scrape failed", ar.cause());
            json(req, 500, new JsonObject().put("error", String.valueOf(ar.cause())));
          }
        });
      } else if (path.startsWith(AdminApi.PREFIX) && admin != null) {
        admin.handle(req);
      } else {
        json(req, 404, new JsonObject().put("error", "not found"));
      }
    } catch (RuntimeException e) {
      log.warn("HTTP {} {} failed", req.method(), path, e);
      json(req, 500, new JsonObject().put("error", String.valueOf(e.getMessage())));
    }
  }

  /** {@code ?wait-seconds=N} holds the answer until the cluster is safe or N seconds passed (a preStop hook). */
  private void clusterSafety(HttpServerRequest req) {
    String wait = req.getParam("wait-seconds");
    long waitSeconds;
    try {
      waitSeconds = wait == null ? 0 : Long.parseLong(wait.trim());
    } catch (NumberFormatException e) {
      waitSeconds = -1;
    }
    if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
      json(req, 400, new JsonObject().put("error", "wait-seconds must be a whole number from 0 to " + MAX_WAIT_SECONDS
          + ", got '" + wait + "'"));
      return;
    }
    clusterSafety.check(waitSeconds * 1000).onComplete(ar -> {
      if (ar.failed()) {
        json(req, 503, new JsonObject().put("status", "DOWN").put("error", String.valueOf(ar.cause())));
      } else {
        json(req, HealthVerdict.httpStatus(ar.result()), ar.result());
      }
    });
  }

  static void json(HttpServerRequest req, int status, Object body) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    String text = body instanceof JsonObject o ? o.encode()
        : body instanceof io.vertx.core.json.JsonArray a ? a.encode() : String.valueOf(body);
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }
}
