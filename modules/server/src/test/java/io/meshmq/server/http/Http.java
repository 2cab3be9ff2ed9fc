package io.meshmq.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/** A tiny HTTP client for the tests: real requests to a server's HTTP listener. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;
  private final String token;

  public Http(int port, String token) {
    this.port = port;
    this.token = token;
  }

  public Http(int port) {
    this(port, null);
  }

  public Http withToken(String newToken) {
    return new Http(port, newToken);
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path);
  }

  public HttpResponse<String> delete(String path) {
    return send("DELETE", path);
  }

  public HttpResponse<String> send(String method, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonObject object(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  public static JsonArray array(HttpResponse<String> r) {
    return new JsonArray(r.body());
  }

  /** The sum of every sample of {@code metric} whose labels contain {@code labelPart} (empty for all). */
  public static double sum(String exposition, String metric, String labelPart) {
    double total = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        int end = line.lastIndexOf(' ');
        if (line.substring(metric.length(), end).contains(labelPart)) {
          total += Double.parseDouble(line.substring(end + 1));
        }
      }
    }
    return total;
  }

  /**
   * The value of a sample in Prometheus text format: the first line whose name is {@code metric} and whose labels
   * contain {@code labelPart} (e.g. {@code reason="expired"}; empty for any).
   */
  public static OptionalDouble sample(String exposition, String metric, String labelPart) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
        continue;
      }
      int end = line.lastIndexOf(' ');
      String labels = line.substring(metric.length(), end);
      if (labels.contains(labelPart)) {
        return OptionalDouble.of(Double.parseDouble(line.substring(end + 1)));
      }
    }
    return OptionalDouble.empty();
  }
}
