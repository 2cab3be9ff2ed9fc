package io.meshmq.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The JSON body of a health endpoint: each check UP or DOWN, the failed ones, and UP overall when none failed. */
final class HealthVerdict {

  private HealthVerdict() {
  }

  static JsonObject of(Map<String, Boolean> checks) {
    JsonObject detail = new JsonObject();
    JsonArray failed = new JsonArray();
    checks.forEach((name, ok) -> {
      detail.put(name, ok ? "UP" : "DOWN");
      if (!ok) {
        failed.add(name);
      }
    });
    return new JsonObject().put("status", failed.isEmpty() ? "UP" : "DOWN").put("checks", detail).put("failed", failed);
  }

  static boolean isUp(JsonObject verdict) {
    return "UP".equals(verdict.getString("status"));
  }

  static int httpStatus(JsonObject verdict) {
    return isUp(verdict) ? 200 : 503;
  }
}
