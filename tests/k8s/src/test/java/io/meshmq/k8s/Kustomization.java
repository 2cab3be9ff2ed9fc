package io.meshmq.k8s;

import java.util.List;

/**
 * The parts of kustomize's Kustomization the manifests use. There is no Kustomization in the Kubernetes model
 * libraries (it is kustomize's, not an API object), so this record is its model here; read strictly, a field it does
 * not name fails, which keeps the test honest about what it checks: add a field here before using it.
 */
record Kustomization(String apiVersion, String kind, List<String> resources, List<Generator> configMapGenerator,
                     List<Image> images) {

  /** A configMapGenerator entry. */
  record Generator(String name, List<String> files) {
  }

  /** An images entry. */
  record Image(String name, String newName, String newTag) {
  }
}
