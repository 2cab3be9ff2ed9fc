package io.meshmq.k8s;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a broker container sees, as far as it can be known without a cluster: the image's MESHMQ_*
 * variables (the Dockerfile's ENV) overlaid with the container's env, whose {@code $(VAR)} references are expanded
 * the way the kubelet does (only variables defined earlier in the list) and whose field references get stand-in
 * values. A variable from an optional Secret key is left out, as when the Secret does not exist.
 */
final class PodEnvironment {

  static final String POD_IP = "10.42.0.7";
  static final String NAMESPACE = "mqtt-test";

  private static final Pattern DOCKERFILE_ENV = Pattern.compile("(MESHMQ_[A-Z0-9_]+)=(\\S+)");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private PodEnvironment() {
  }

  /** The MESHMQ_* variables of the Dockerfile's ENV instructions (with their continuation lines). */
  static Map<String, String> imageEnvironment(Path dockerfile) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      boolean inEnv = false;
      for (String line : Files.readAllLines(dockerfile)) {
        String t = line.trim();
        if (t.startsWith("ENV ")) {
          inEnv = true;
        }
        if (inEnv) {
          Matcher m = DOCKERFILE_ENV.matcher(t);
          while (m.find()) {
            out.put(m.group(1), m.group(2));
          }
          inEnv = t.endsWith("\\");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Map<String, String> of(Map<String, String> image, List<EnvVar> env) {
    Map<String, String> out = new LinkedHashMap<>(image);
    Map<String, String> defined = new LinkedHashMap<>();
    for (EnvVar v : env) {
      String value;
      if (v.getValueFrom() != null) {
        value = standIn(v.getName(), v.getValueFrom());
        if (value == null) {
          continue;
        }
      } else {
        value = expand(v.getValue() == null ? "" : v.getValue(), defined);
      }
      defined.put(v.getName(), value);
      out.put(v.getName(), value);
    }
    return out;
  }

  /** Kubernetes' $(VAR) expansion: a reference to a variable defined earlier is replaced, others stay as written. */
  static String expand(String value, Map<String, String> defined) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String replacement = defined.getOrDefault(m.group(1), m.group());
      m.appendReplacement(b, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(b).toString();
  }

  private static String standIn(String name, EnvVarSource from) {
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "status.podIP" -> POD_IP;
        case "metadata.namespace" -> NAMESPACE;
        case "metadata.name" -> "meshmq-0";
        default -> throw new IllegalArgumentException(name + ": no stand-in for field " + from.getFieldRef().getFieldPath());
      };
    }
    if (from.getSecretKeyRef() != null) {
      if (Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
        return null;
      }
      return "secret-" + from.getSecretKeyRef().getKey();
    }
    throw new IllegalArgumentException(name + ": unsupported valueFrom " + from);
  }
}
