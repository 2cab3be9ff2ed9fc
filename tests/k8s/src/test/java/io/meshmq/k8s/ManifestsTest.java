package io.meshmq.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Setting;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.config.SettingsCatalog;
import io.meshmq.cluster.ClusterSettings;
import io.meshmq.server.Launcher;
import io.meshmq.server.RunningServer;
import io.meshmq.server.config.ConfigLoader;
import io.meshmq.server.config.LoadedConfig;
import io.meshmq.server.config.ServerSettings;
import io.meshmq.server.config.SettingsCatalogs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manifests of k8s/, parsed strictly with the fabric8 Kubernetes model and checked against the broker's code:
 * its configuration catalog and loader, its HTTP listener and the image's Dockerfile. What a pod would run with is
 * computed the way the broker computes it (defaults, k8s/broker.yaml from the ConfigMap, the image's and the pod's
 * environment), so a port, key or path the code does not have fails here rather than in a cluster.
 */
@Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ManifestsTest {

  private static final Path K8S = Path.of(System.getProperty("meshmq.k8s.dir", "../../k8s")).toAbsolutePath().normalize();
  private static final SettingsCatalog CATALOG = SettingsCatalogs.all();
  private static final String BROKER_CONTAINER = "meshmq";

  /** Container port name -> the setting that configures the listener behind it. */
  private static final Map<String, String> PORT_SETTINGS = Map.of(
      "mqtt", "listeners.tcp.port",
      "mqtt-tls", "listeners.tls.port",
      "mqtt-ws", "listeners.ws.port",
      "mqtt-wss", "listeners.wss.port",
      "http", "http.port",
      "hazelcast", "cluster.port",
      "eventbus", "cluster.eventbus.port");

  private static Kustomization kustomization;
  private static List<HasMetadata> resources;
  private static StatefulSet statefulSet;
  private static Container broker;
  private static Map<String, String> podEnv;
  private static Settings settings;

  @BeforeAll
  static void load() {
    StrictManifestReader reader = new StrictManifestReader();
    kustomization = reader.readPlain(K8S.resolve("kustomization.yaml"), Kustomization.class);
    resources = new ArrayList<>();
    for (String file : kustomization.resources()) {
      resources.addAll(reader.read(K8S.resolve(file)));
    }
    statefulSet = only(StatefulSet.class);
    broker = podSpec().getContainers().stream().filter(c -> c.getName().equals(BROKER_CONTAINER)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + BROKER_CONTAINER));
    podEnv = PodEnvironment.of(PodEnvironment.imageEnvironment(K8S.resolve("Dockerfile")), broker.getEnv());
    LoadedConfig loaded = new ConfigLoader(CATALOG).load(Optional.of(mountedConfigFile()), podEnv, List.of());
    settings = loaded.settings();
  }

  // ------------------------------------------------------------------------------------------ parsing, kustomization

  @Test
  void theKustomizationListsEveryManifestOnceAndGeneratesTheConfigMapFromTheBrokerConfiguration() throws IOException {
    assertThat(kustomization.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1beta1");
    assertThat(kustomization.kind()).isEqualTo("Kustomization");
    List<String> generated = kustomization.configMapGenerator().stream().flatMap(g -> g.files().stream()).toList();
    Set<String> yamlFiles;
    try (Stream<Path> files = Files.list(K8S)) {
      yamlFiles = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    yamlFiles.remove("kustomization.yaml");
    yamlFiles.removeAll(generated);
    assertThat(kustomization.resources()).as("resources of kustomization.yaml").doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(yamlFiles);
    assertThat(resources).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
        "StatefulSet", "Service", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler");
    assertThat(generated).containsExactly("broker.yaml");
    assertThat(kustomization.images()).extracting(Kustomization.Image::name).contains(broker.getImage());
  }

  @Test
  void theStrictReaderRejectsAFieldTheModelDoesNotKnowWhichFabric8AloneWouldAccept() throws IOException {
    String typo = Files.readString(K8S.resolve("statefulset.yaml"))
        .replaceFirst("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:");
    assertThat(typo).contains("terminationGracePeriodSecond:");
    assertThatThrownBy(() -> new StrictManifestReader().read(typo))
        .hasRootCauseInstanceOf(UnrecognizedPropertyException.class)
        .rootCause().hasMessageContaining("terminationGracePeriodSecond");
    StatefulSet lenient = (StatefulSet) new StrictManifestReader(false).read(typo).get(0);
    assertThat(lenient.getSpec().getTemplate().getSpec().getAdditionalProperties())
        .as("fabric8's default keeps the typo aside without a word").containsKey("terminationGracePeriodSecond");

    assertThatThrownBy(() -> new StrictManifestReader().read("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
        + "metadata:\n  name: x\n")).hasMessageContaining("apiVersion policy/v1beta1");
  }

  // ------------------------------------------------------------------------------------------ against the code

  @Test
  void everyMeshmqVariableOfThePodAndTheImageNamesASetting() {
    List<String> variables = new ArrayList<>(podEnv.keySet());
    assertThat(variables).as("variables the broker reads").anyMatch(v -> v.startsWith("MESHMQ_"));
    for (String v : variables) {
      if (!v.startsWith("MESHMQ_") || v.equals("MESHMQ_CONFIG")) {
        continue;
      }
      assertThat(CATALOG.forEnvironmentVariable(v)).as("setting named by %s", v).isNotNull();
    }
    // The loader agrees (it refuses unknown MESHMQ_ variables), and the pod's values are valid settings.
    assertThat(settings.get(ClusterSettings.HOST)).isEqualTo(PodEnvironment.POD_IP);
    assertThat(settings.get(ClusterSettings.EVENTBUS_HOST)).isEqualTo(PodEnvironment.POD_IP);
    assertThat(settings.get(ClusterSettings.ENABLED)).isTrue();
  }

  @Test
  void containerPortsAreTheConfiguredListenerPorts() {
    Map<String, Integer> declared = new LinkedHashMap<>();
    for (ContainerPort p : broker.getPorts()) {
      assertThat(declared.put(p.getName(), p.getContainerPort())).as("port name %s declared once", p.getName()).isNull();
    }
    assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(PORT_SETTINGS.keySet());
    declared.forEach((name, port) -> {
      String key = PORT_SETTINGS.get(name);
      Setting<?> setting = CATALOG.find(key);
      assertThat(setting).as("the setting %s behind containerPort %s", key, name).isNotNull();
      assertThat(port).as("containerPort %s = %s", name, key).isEqualTo(settings.get(setting));
    });
    // Conversely, every listener the pod configures beyond loopback has its port declared.
    for (Setting<?> s : CATALOG.all()) {
      boolean listenerPort = s.key().matches("listeners\\.[a-z]+\\.port") || s.key().equals("http.port");
      if (!listenerPort || !reachable(s.key())) {
        continue;
      }
      assertThat(declared.values()).as("a containerPort for %s", s.key()).contains((Integer) settings.get(s));
    }
  }

  @Test
  void probesAskPathsTheRealHttpListenerServesOnTheHttpPort() throws Exception {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("startup", broker.getStartupProbe());
    probes.put("liveness", broker.getLivenessProbe());
    probes.put("readiness", broker.getReadinessProbe());
    Map<String, HTTPGetAction> gets = new LinkedHashMap<>();
    probes.forEach((name, probe) -> gets.put(name + " probe", probe == null ? null : probe.getHttpGet()));
    gets.put("preStop hook", broker.getLifecycle().getPreStop().getHttpGet());
    RunningServer server = new Launcher(CATALOG, Map.of(), Path.of(".")).start("--set", "listeners.tcp.port=0",
        "--set", "http.port=0", "--set", "sys.interval-seconds=0");
    try {
      assertThat(status(server.httpPort(), "/no/such/path")).as("the listener tells a missing path").isEqualTo(404);
      for (Map.Entry<String, HTTPGetAction> e : gets.entrySet()) {
        HTTPGetAction get = e.getValue();
        assertThat(get).as("%s (an HTTP GET)", e.getKey()).isNotNull();
        assertThat(get.getPort().getStrVal()).as("%s port", e.getKey()).isEqualTo("http");
        assertThat(status(server.httpPort(), get.getPath()))
            .as("%s %s on a running node", e.getKey(), get.getPath()).isEqualTo(200);
      }
    } finally {
      server.stop();
    }
    assertThat(broker.getReadinessProbe().getHttpGet().getPath()).as("readiness is not the cluster's safety")
        .isEqualTo("/health/ready");
    assertThat(broker.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(settings.get(ServerSettings.HTTP_HOST)).as("the kubelet probes from outside the pod").isEqualTo("0.0.0.0");
  }

  @Test
  void hazelcastDiscoversTheHeadlessServiceOfThePodsOwnNamespace() {
    Service headless = service(s -> "None".equals(s.getSpec().getClusterIP()));
    String name = headless.getMetadata().getName();
    assertThat(statefulSet.getSpec().getServiceName()).isEqualTo(name);
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("members find each other before ready").isTrue();
    assertThat(headless.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
    assertThat(targetPorts(headless)).containsExactlyInAnyOrder("hazelcast", "eventbus");

    assertThat(settings.get(ClusterSettings.DISCOVERY)).isEqualTo(ClusterSettings.Discovery.KUBERNETES);
    assertThat(settings.get(ClusterSettings.KUBERNETES_SERVICE_DNS))
        .isEqualTo(name + "." + PodEnvironment.NAMESPACE + ".svc.cluster.local");
    EnvVar namespace = broker.getEnv().stream().filter(v -> v.getValueFrom() != null
        && v.getValueFrom().getFieldRef() != null
        && v.getValueFrom().getFieldRef().getFieldPath().equals("metadata.namespace")).findFirst().orElseThrow();
    EnvVar dns = broker.getEnv().stream()
        .filter(v -> v.getName().equals(ClusterSettings.KUBERNETES_SERVICE_DNS.environmentVariable())).findFirst()
        .orElseThrow();
    assertThat(dns.getValue()).isEqualTo(name + ".$(" + namespace.getName() + ").svc.cluster.local");
    assertThat(broker.getEnv().indexOf(namespace)).as("defined before it is referenced").isLessThan(broker.getEnv().indexOf(dns));
  }

  @Test
  void preStopWaitsForASafeClusterAndTerminationGraceCoversItAndTheDrain() {
    HTTPGetAction preStop = broker.getLifecycle().getPreStop().getHttpGet();
    assertThat(preStop).as("preStop is an HTTP GET to the broker").isNotNull();
    assertThat(preStop.getPort().getStrVal()).isEqualTo("http");
    Matcher wait = Pattern.compile("^/health/cluster-safe\\?wait-seconds=(\\d+)$").matcher(preStop.getPath());
    assertThat(wait.matches()).as("preStop path %s", preStop.getPath()).isTrue();
    int waitSeconds = Integer.parseInt(wait.group(1));
    int grace = settings.get(ServerSettings.SHUTDOWN_GRACE_SECONDS);
    int unready = settings.get(ServerSettings.SHUTDOWN_UNREADY_SECONDS);
    long termination = podSpec().getTerminationGracePeriodSeconds();
    assertThat(waitSeconds).isPositive();
    assertThat(termination).as("terminationGracePeriodSeconds >= preStop wait %s s + shutdown.grace-seconds %s s + margin",
        waitSeconds, grace).isGreaterThanOrEqualTo(waitSeconds + grace + 5L);
    assertThat(termination).as("not so long that a stuck pod holds a rollout for minutes")
        .isLessThanOrEqualTo(waitSeconds + grace + 30L);
    // preStop returns at once when the cluster is safe: the pod then serves on after SIGTERM while it leaves the
    // load balancers.
    assertThat(unready).as("shutdown.unready-seconds").isPositive().isLessThan(grace);
    assertThat(settings.get(BrokerSettings.SHUTDOWN_DISCONNECT_REASON)).isNotNull();
  }

  @Test
  void clientsComeInThroughALoadBalancerOnNamedContainerPorts() {
    Service lb = service(s -> "LoadBalancer".equals(s.getSpec().getType()));
    // Clients keep their addresses (failed-login limit per address, logs, admin API): no hop through another node.
    assertThat(lb.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
    assertThat(settings.get(BrokerSettings.TCP_PROXY_PROTOCOL)).as("no PROXY header comes from a plain Service")
        .isFalse();
    Map<String, Integer> ports = lb.getSpec().getPorts().stream()
        .collect(Collectors.toMap(p -> p.getTargetPort().getStrVal(), ServicePort::getPort));
    assertThat(ports).containsEntry("mqtt", 1883).containsEntry("mqtt-tls", 8883).containsEntry("mqtt-ws", 8083)
        .containsEntry("mqtt-wss", 8084);
    // What answers as shipped: plain MQTT and WebSocket; TLS and secure WebSocket wait for a certificate.
    assertThat(settings.get(BrokerSettings.WS_ENABLED)).isTrue();
    assertThat(settings.get(BrokerSettings.TLS_ENABLED)).isFalse();
    for (String listener : List.of("tcp", "tls", "ws", "wss")) {
      assertThat(settings.get(CATALOG.find("listeners." + listener + ".host"))).as("listeners.%s.host", listener)
          .isEqualTo("0.0.0.0");
    }
    Set<String> containerPorts = broker.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
    for (Service s : resources.stream().filter(Service.class::isInstance).map(Service.class::cast).toList()) {
      assertThat(containerPorts).as("target ports of Service %s", s.getMetadata().getName()).containsAll(targetPorts(s));
      assertThat(s.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
    }
  }

  @Test
  void statefulSetDisruptionBudgetAndAutoscalerFitTogether() {
    assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(3);
    assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels());
    List<WeightedPodAffinityTerm> anti = podSpec().getAffinity().getPodAntiAffinity()
        .getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(anti).singleElement().satisfies(t -> {
      assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels())
          .isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
    });
    assertThat(broker.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(broker.getResources().getLimits()).containsKey("memory");

    PodDisruptionBudget pdb = only(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());

    HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(statefulSet.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(statefulSet.getSpec().getReplicas());
    assertThat(hpa.getSpec().getMetrics()).anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
    // The autoscaler needs CPU requests to compute utilization.
    assertThat(broker.getResources().getRequests().get("cpu")).isNotNull();
  }

  @Test
  void anonymousClientsAreRefusedAndThePasswordFileComesFromTheMountedSecret() {
    assertThat(settings.get(BrokerSettings.AUTH_ALLOW_ANONYMOUS)).isEqualTo(BrokerSettings.AnonymousAccess.FALSE);
    Path passwordFile = Path.of(settings.get(BrokerSettings.AUTH_PASSWORD_FILE));
    Volume volume = volumeMountedAt(passwordFile.getParent().toString());
    assertThat(volume.getSecret()).as("volume %s is a Secret", volume.getName()).isNotNull();
    assertThat(volume.getSecret().getOptional()).as("the pod waits for the Secret rather than running open")
        .isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void eachPodTurnsClientsAwayBeforeItsHeapRunsOut() {
    int maxConnections = settings.get(BrokerSettings.MAX_CONNECTIONS);
    assertThat(maxConnections).as("mqtt.max-connections per pod").isPositive();
    assertThat(settings.get(BrokerSettings.MAX_CONNECT_RATE)).as("mqtt.max-connect-rate per pod").isPositive();
    long memory = broker.getResources().getLimits().get("memory").getNumericalAmount().longValue();
    Matcher share = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(podEnv.getOrDefault("JAVA_OPTS", ""));
    assertThat(share.find()).as("JAVA_OPTS sets the heap's share of the memory limit").isTrue();
    long heap = memory * Long.parseLong(share.group(1)) / 100;
    // About 4 KB of heap per idle connection (load-tests/README.md): at the limit they take at most half the heap.
    assertThat(maxConnections * 4096L).as("heap of %d idle connections", maxConnections).isLessThanOrEqualTo(heap / 2);
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The local file behind MESHMQ_CONFIG: the ConfigMap volume mounted at its directory, generated from k8s/. */
  private static Path mountedConfigFile() {
    Path inPod = Path.of(podEnv.get("MESHMQ_CONFIG"));
    Volume volume = volumeMountedAt(inPod.getParent().toString());
    assertThat(volume.getConfigMap()).as("volume %s is a ConfigMap", volume.getName()).isNotNull();
    Kustomization.Generator generator = kustomization.configMapGenerator().stream()
        .filter(g -> g.name().equals(volume.getConfigMap().getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no configMapGenerator named " + volume.getConfigMap().getName()));
    String file = inPod.getFileName().toString();
    assertThat(generator.files()).as("the generator provides %s", file).contains(file);
    return K8S.resolve(file);
  }

  private static Volume volumeMountedAt(String directory) {
    VolumeMount mount = broker.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(directory)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + directory));
    return podSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
  }

  /** Whether the listener whose port setting this is would be reachable from outside the pod. */
  private static boolean reachable(String portKey) {
    String prefix = portKey.substring(0, portKey.length() - ".port".length());
    Setting<?> enabled = CATALOG.find(prefix + ".enabled");
    if (enabled != null && !Boolean.TRUE.equals(settings.get(enabled))) {
      return false;
    }
    Setting<?> host = CATALOG.find(prefix + ".host");
    return host == null || !isLoopback(String.valueOf(settings.get(host)));
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private static PodSpec podSpec() {
    return statefulSet.getSpec().getTemplate().getSpec();
  }

  private static List<String> targetPorts(Service s) {
    return s.getSpec().getPorts().stream().map(p -> p.getTargetPort().getStrVal()).toList();
  }

  private static Service service(java.util.function.Predicate<Service> which) {
    List<Service> found = resources.stream().filter(Service.class::isInstance).map(Service.class::cast).filter(which).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static <T extends HasMetadata> T only(Class<T> type) {
    List<T> found = resources.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as("one %s", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static int status(int port, String path) throws IOException, InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
