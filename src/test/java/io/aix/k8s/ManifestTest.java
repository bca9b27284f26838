package io.aix.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every manifest in k8s/ parses and is complete, and the pieces fit: probes on the health paths AIX
 * serves, Service to container port, Secret keys to the template, ConfigMaps to the README's
 * commands and to the files they are made from, RBAC to the ServiceAccount, selectors to labels.
 */
class ManifestTest {
  private static final Map<String, Map<String, Object>> BY_KIND_NAME = new HashMap<>();
  private static final List<Map<String, Object>> ALL = new ArrayList<>();

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        if (f.getFileName().toString().equals("kustomization.yaml")) {
          continue;
        }
        for (Object doc :
            new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(f))) {
          Map<String, Object> m = (Map<String, Object>) doc;
          assertThat(m).as(f + ": a manifest").containsKeys("apiVersion", "kind", "metadata");
          String name = (String) ((Map<String, Object>) m.get("metadata")).get("name");
          assertThat(name).as(f + ": metadata.name").isNotBlank();
          ALL.add(m);
          BY_KIND_NAME.put(m.get("kind") + "/" + name, m);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... path) {
    Object n = node;
    for (String p : path) {
      n = n instanceof List<?> l ? l.get(Integer.parseInt(p)) : ((Map<String, Object>) n).get(p);
    }
    return (T) n;
  }

  private static Map<String, Object> get(String kindName) {
    assertThat(BY_KIND_NAME).as("manifests").containsKey(kindName);
    return BY_KIND_NAME.get(kindName);
  }

  @Test
  void theKustomizationListsEveryManifestFile() throws IOException {
    String kustomization = Files.readString(Path.of("k8s/kustomization.yaml"));
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .filter(n -> !n.equals("kustomization.yaml") && !n.equals("secret-template.yaml"))
          .forEach(n -> assertThat(kustomization).contains("- " + n));
    }
  }

  @Test
  void theDeploymentIsThreeReplicasWithProbesOnAixsHealthPaths() {
    Map<String, Object> d = get("Deployment/aix");
    assertThat((Integer) at(d, "spec", "replicas")).isEqualTo(3);
    Map<String, Object> c = at(d, "spec", "template", "spec", "containers", "0");
    assertThat((String) at(c, "startupProbe", "httpGet", "path")).isEqualTo("/q/health/started");
    assertThat((String) at(c, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
    assertThat((String) at(c, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
    assertThat((Integer) at(c, "ports", "0", "containerPort")).isEqualTo(8080);
    assertThat((List<String>) at(c, "args")).containsExactly("serve");
    assertThat(at(c, "resources", "requests").toString()).contains("cpu").contains("memory");
    Map<String, Object> labels = at(d, "spec", "template", "metadata", "labels");
    assertThat(labels).isEqualTo(at(d, "spec", "selector", "matchLabels"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everySecretKeyTheDeploymentReadsIsInTheTemplate() {
    Map<String, Object> c =
        at(get("Deployment/aix"), "spec", "template", "spec", "containers", "0");
    for (Map<String, Object> env : (List<Map<String, Object>>) c.get("env")) {
      Map<String, Object> ref = at(env, "valueFrom");
      if (ref != null && ref.containsKey("secretKeyRef")) {
        String secret = at(ref, "secretKeyRef", "name");
        String key = at(ref, "secretKeyRef", "key");
        Map<String, Object> data = at(get("Secret/" + secret), "stringData");
        assertThat(data).as("Secret %s", secret).containsKey(key);
      }
    }
    String envFrom = at(c, "envFrom", "0", "secretRef", "name");
    assertThat(BY_KIND_NAME).containsKey("Secret/" + envFrom);
    Map<String, Object> env = new HashMap<>();
    ((List<Map<String, Object>>) c.get("env")).forEach(e -> env.put((String) e.get("name"), e));
    assertThat(env)
        .containsKeys(
            "AIX_CLUSTER_KIND",
            "AIX_CLUSTER_POD_NAME",
            "AIX_CONFIG_DIR",
            "AIX_OIDC_ENABLED",
            "AIX_SECRET_KEYS");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theConfigMapsAreTheOnesTheReadmeCreatesAndTheirKeysAreRealFiles() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = Pattern.compile("create configmap (\\S+) --from-file=(\\S+?)/? ").matcher(readme);
    Map<String, String> created = new HashMap<>();
    while (m.find()) {
      created.put(m.group(1), m.group(2));
    }
    assertThat(created).as("README's kubectl create configmap commands").isNotEmpty();
    Set<String> used = new HashSet<>();
    List<Map<String, Object>> volumes =
        at(get("Deployment/aix"), "spec", "template", "spec", "volumes");
    for (Map<String, Object> v : volumes) {
      List<Map<String, Object>> sources =
          v.containsKey("projected")
              ? at(v, "projected", "sources")
              : List.of(Map.of("configMap", v.get("configMap")));
      for (Map<String, Object> s : sources) {
        Map<String, Object> cm = (Map<String, Object>) s.get("configMap");
        String name = (String) cm.get("name");
        used.add(name);
        assertThat(created).as("README creates ConfigMap %s", name).containsKey(name);
        for (Map<String, Object> item :
            (List<Map<String, Object>>) cm.getOrDefault("items", List.of())) {
          assertThat(Path.of(created.get(name), (String) item.get("key")))
              .as("ConfigMap %s key", name)
              .exists();
        }
      }
    }
    assertThat(used).isEqualTo(created.keySet());
    for (String dir : created.values()) {
      assertThat(Path.of(dir)).isDirectory();
    }
  }

  @Test
  void leaderElectionMayUseLeasesAndTheBindingPointsAtAixsAccount() {
    Map<String, Object> role = get("Role/aix-leader-election");
    String rules = at(role, "rules").toString();
    assertThat(rules).contains("leases").contains("coordination.k8s.io").contains("update");
    Map<String, Object> binding = get("RoleBinding/aix-leader-election");
    assertThat((String) at(binding, "roleRef", "name")).isEqualTo("aix-leader-election");
    assertThat((String) at(binding, "subjects", "0", "name")).isEqualTo("aix");
    assertThat(BY_KIND_NAME).containsKey("ServiceAccount/aix");
    assertThat((String) at(get("Deployment/aix"), "spec", "template", "spec", "serviceAccountName"))
        .isEqualTo("aix");
  }

  @Test
  void serviceHpaPdbAndPolicyPointAtTheDeployment() throws IOException {
    Map<String, Object> labels =
        at(get("Deployment/aix"), "spec", "template", "metadata", "labels");
    assertThat((Map<String, Object>) at(get("Service/aix"), "spec", "selector")).isEqualTo(labels);
    assertThat((String) at(get("Service/aix"), "spec", "ports", "0", "targetPort"))
        .isEqualTo("http");
    assertThat((String) at(get("HorizontalPodAutoscaler/aix"), "spec", "scaleTargetRef", "name"))
        .isEqualTo("aix");
    assertThat((Integer) at(get("HorizontalPodAutoscaler/aix"), "spec", "minReplicas"))
        .isEqualTo(3);
    List<Map<String, Object>> metrics = at(get("HorizontalPodAutoscaler/aix"), "spec", "metrics");
    assertThat(metrics).extracting(m -> m.get("type")).containsExactly("Resource", "External");
    String external = at(metrics.get(1), "external", "metric", "name");
    assertThat(external).isEqualTo("aix_queue_depth");
    assertThat(Files.readString(Path.of("k8s/monitoring/prometheus-adapter-values.yaml")))
        .as("the adapter serves the metric the HPA asks for")
        .contains("name:\n        as: " + external)
        .contains("seriesQuery: '" + external + "{");
    assertThat(Files.readString(Path.of("src/main/java/io/aix/ops/PipelineMetrics.java")))
        .as("AIX exports it (Micrometer's aix.queue.depth is Prometheus' aix_queue_depth)")
        .contains("\"" + external.replace('_', '.') + "\"");
    assertThat(
            (Map<String, Object>)
                at(get("PodDisruptionBudget/aix"), "spec", "selector", "matchLabels"))
        .isEqualTo(labels);
    assertThat(
            (Map<String, Object>)
                at(get("NetworkPolicy/aix"), "spec", "podSelector", "matchLabels"))
        .isEqualTo(labels);
    assertThat(ALL)
        .allSatisfy(m -> assertThat(at(m, "metadata", "labels").toString()).contains("aix"));
  }

  @Test
  void monitoringRulesAndDashboardUseMetricsAixPublishes() throws IOException {
    String rules = Files.readString(Path.of("k8s/monitoring/prometheus-rules.yaml"));
    String dashboard = Files.readString(Path.of("k8s/monitoring/grafana-dashboard.json"));
    new Load(LoadSettings.builder().build()).loadFromString(rules);
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard);
    assertThat(json.path("panels").size()).isGreaterThanOrEqualTo(5);
    Matcher m = Pattern.compile("aix_[a-z_]+").matcher(rules + dashboard);
    Set<String> names = new HashSet<>();
    while (m.find()) {
      names.add(m.group());
    }
    // The series PipelineMetrics registers, as Prometheus names them.
    Set<String> published =
        Set.of(
            "aix_leads_ingested_total",
            "aix_leads_scored_total",
            "aix_leads_written_total",
            "aix_dead_letters_total",
            "aix_change_to_score_seconds",
            "aix_lead_score_bucket",
            "aix_api_calls",
            "aix_api_daily_used",
            "aix_api_daily_limit",
            "aix_api_budget",
            "aix_api_budget_spent",
            "aix_crm_breaker_open",
            "aix_queue_depth",
            "aix_leads_retried_total",
            "aix_model_version");
    assertThat(published).containsAll(names);
  }
}
