package io.meshmq.k8s;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes manifests into the fabric8 model, strictly: a field the model does not know fails the read.
 * fabric8's classes keep unknown fields in an "additionalProperties" map (a Jackson any-setter), which would accept
 * any typo; here the any-setter is taken off every bean deserializer, so Jackson's FAIL_ON_UNKNOWN_PROPERTIES
 * applies. The kinds are the ones the manifests use, each at one API version; any other kind or version fails.
 */
final class StrictManifestReader {

  /** kind -> model class; the class's own default apiVersion is the only one accepted. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "StatefulSet", StatefulSet.class,
      "Service", Service.class,
      "PodDisruptionBudget", PodDisruptionBudget.class,
      "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "ConfigMap", ConfigMap.class,
      "Secret", Secret.class);

  private final YAMLMapper yaml = new YAMLMapper();
  private final ObjectMapper strict;

  StrictManifestReader() {
    this(true);
  }

  /** {@code strict} false: fabric8's own behaviour (unknown fields kept aside), for the test that shows the difference. */
  StrictManifestReader(boolean strict) {
    ObjectMapper m = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    if (strict) {
      m.registerModule(new SimpleModule("no-additional-properties").setDeserializerModifier(new BeanDeserializerModifier() {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                     BeanDeserializerBuilder builder) {
          builder.setAnySetter(null);
          return builder;
        }
      }));
    }
    this.strict = m;
  }

  /** Every document of a (multi-document) YAML file, as model objects. */
  List<HasMetadata> read(Path file) {
    try {
      return read(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  List<HasMetadata> read(String text) {
    List<HasMetadata> out = new ArrayList<>();
    try {
      for (JsonNode doc : yaml.readValues(yaml.createParser(text), JsonNode.class).readAll()) {
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        String kind = doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        if (type == null) {
          throw new IllegalArgumentException("unexpected kind '" + kind + "' (known: " + KINDS.keySet() + ")");
        }
        HasMetadata resource = strict.treeToValue(doc, type);
        String expected = type.getDeclaredConstructor().newInstance().getApiVersion();
        if (!expected.equals(resource.getApiVersion())) {
          throw new IllegalArgumentException(kind + " " + resource.getMetadata().getName() + ": apiVersion "
              + resource.getApiVersion() + ", expected " + expected);
        }
        out.add(resource);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** A plain YAML document (not a Kubernetes object) into a class, strictly: for the kustomization. */
  <T> T readPlain(Path file, Class<T> type) {
    try {
      return strict.treeToValue(yaml.readTree(file.toFile()), type);
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }
}
