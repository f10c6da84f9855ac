package dev.killswitch.cli.deploy;

import static dev.killswitch.cli.deploy.ComposeFileTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/kubernetes checked without a cluster: `kubectl apply --dry-run=client` needs an API server even with
 * --validate=false (checked with current kubectl and Debian's kubernetes-client 1.20), so the base is parsed as it
 * is and each overlay rendered with `kubectl kustomize` (offline) where kubectl exists, and both are checked for
 * kinds, API versions, required fields, security settings, probes, selectors, the revoker's ClusterRole against
 * the providers' permission files, and the apiserver webhook configurations against the Services.
 */
class KubernetesManifestsTest {

  static final Path K8S = Path.of("..", "deploy", "kubernetes");
  static final Path PERMISSIONS = Path.of("..", "revoker", "src", "main", "resources", "permissions", "kubernetes");
  static final Map<String, String> API_VERSIONS = Map.of(
      "Deployment", "apps/v1", "Service", "v1", "ServiceAccount", "v1", "ConfigMap", "v1",
      "PodDisruptionBudget", "policy/v1", "NetworkPolicy", "networking.k8s.io/v1",
      "ClusterRole", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1");
  static final List<String> ROLES = List.of("ingest", "correlator", "revoker");

  @Test
  void theBaseHoldsEveryObjectOfTheThreeRolesAndEachIsWellFormed() throws IOException {
    checkObjects(base(), null);
  }

  @Test
  void theRevokersClusterRoleIsExactlyTheUnionOfTheProvidersPermissionFiles() throws IOException {
    Set<String> granted = triples(objects(base(), "ClusterRole").get(0));
    Set<String> union = new TreeSet<>();
    try (Stream<Path> files = Files.list(PERMISSIONS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Map<String, Object> doc : parse(Files.readString(f, StandardCharsets.UTF_8))) {
          assertThat(doc.get("kind")).as(f.toString()).isEqualTo("ClusterRole");
          union.addAll(triples(doc));
        }
      }
    }
    assertThat(union).as("the permission files grant something").isNotEmpty();
    assertThat(granted).isEqualTo(union);
    Map<String, Object> binding = objects(base(), "ClusterRoleBinding").get(0);
    assertThat(map(binding.get("roleRef")).get("name")).isEqualTo("killswitch-revoker");
    assertThat(map(((List<?>) binding.get("subjects")).get(0))).containsEntry("kind", "ServiceAccount")
        .containsEntry("name", "killswitch-revoker");
  }

  @Test
  void theApiserverWebhookConfigurationsPointAtTheServicesThatServeThem() throws IOException {
    List<Map<String, Object>> base = base();
    Map<String, String> serviceComponent = new java.util.HashMap<>();
    for (Map<String, Object> s : objects(base, "Service")) {
      serviceComponent.put(name(s), String.valueOf(map(map(s.get("spec")).get("selector")).get("app.kubernetes.io/component")));
    }
    String audit = server(K8S.resolve("apiserver/audit-webhook.kubeconfig"));
    assertThat(audit).startsWith("https://killswitch-audit.").contains("/v1/ingest/k8s-audit/");
    assertThat(serviceComponent).containsEntry("killswitch-audit", "ingest");
    String authz = server(K8S.resolve("apiserver/authz-webhook.kubeconfig"));
    assertThat(authz).startsWith("https://killswitch-authz.").contains("/v1/k8s/authorize/");
    assertThat(serviceComponent).containsEntry("killswitch-authz", "revoker");

    Map<String, Object> authzConfig = parse(Files.readString(K8S.resolve("apiserver/authorization-config.yaml"))).get(0);
    assertThat(authzConfig).containsEntry("kind", "AuthorizationConfiguration")
        .containsEntry("apiVersion", "apiserver.config.k8s.io/v1");
    List<String> order = ((List<?>) authzConfig.get("authorizers")).stream().map(a -> String.valueOf(map(a).get("type"))).toList();
    assertThat(order.indexOf("Webhook")).as("the webhook must come before RBAC").isLessThan(order.indexOf("RBAC"));
    Map<String, Object> webhook = map(map(((List<?>) authzConfig.get("authorizers")).get(order.indexOf("Webhook"))).get("webhook"));
    assertThat(map(webhook.get("connectionInfo")).get("kubeConfigFile")).asString().endsWith("killswitch-authz.kubeconfig");
    assertThat(webhook).containsEntry("failurePolicy", "NoOpinion");
    Map<String, Object> policy = parse(Files.readString(K8S.resolve("apiserver/audit-policy.yaml"))).get(0);
    assertThat(policy).containsEntry("kind", "Policy").containsEntry("apiVersion", "audit.k8s.io/v1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyOverlayRendersWithKubectlKustomizeIntoOneNamespaceAndPassesTheSameChecks(String overlay) throws Exception {
    assumeTrue(Commands.works("kubectl", "version", "--client"), "kubectl is not installed here (.ci/run installs it); the base checks ran");
    Process p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String rendered = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(rendered).isZero();
    List<Map<String, Object>> docs = parse(rendered);
    String namespace = overlay.equals("dev") ? "killswitch-dev" : "killswitch";
    checkObjects(docs, namespace);
    Map<String, Object> binding = objects(docs, "ClusterRoleBinding").get(0);
    assertThat(map(((List<?>) binding.get("subjects")).get(0))).containsEntry("namespace", namespace);
    if (overlay.equals("prod")) {
      for (Map<String, Object> d : objects(docs, "Deployment")) {
        String env = String.valueOf(container(d).get("env"));
        assertThat(env).as(name(d)).contains("KAFKA_SASL_JAAS_CONFIG");
        if (!name(d).equals("killswitch-correlator")) {
          assertThat(env).as(name(d)).contains("KILLSWITCH_HTTP_TLS_CERT").contains("KILLSWITCH_HTTP_TLS_KEY");
          assertThat(String.valueOf(container(d).get("readinessProbe"))).contains("scheme=HTTPS");
        }
      }
      Map<String, Object> config = objects(docs, "ConfigMap").get(0);
      assertThat(map(config.get("data"))).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
          .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    }
  }

  /** Checks every object; {@code namespace} null for the base (not namespaced yet). */
  private static void checkObjects(List<Map<String, Object>> docs, String namespace) {
    Set<String> kinds = new TreeSet<>();
    for (Map<String, Object> d : docs) {
      String kind = String.valueOf(d.get("kind"));
      kinds.add(kind);
      assertThat(API_VERSIONS).as("known kind " + kind).containsKey(kind);
      assertThat(d.get("apiVersion")).as(kind + " " + name(d)).isEqualTo(API_VERSIONS.get(kind));
      assertThat(name(d)).as(kind).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
      if (namespace != null && !kind.startsWith("Cluster")) {
        assertThat(map(d.get("metadata")).get("namespace")).as(kind + " " + name(d)).isEqualTo(namespace);
      }
    }
    assertThat(kinds).containsAll(API_VERSIONS.keySet());

    Set<String> serviceAccounts = new TreeSet<>();
    objects(docs, "ServiceAccount").forEach(sa -> serviceAccounts.add(name(sa)));
    List<Map<String, Object>> deployments = objects(docs, "Deployment");
    assertThat(deployments).extracting(KubernetesManifestsTest::name)
        .containsExactlyInAnyOrder("killswitch-ingest", "killswitch-correlator", "killswitch-revoker");
    for (Map<String, Object> d : deployments) {
      String role = name(d).substring("killswitch-".length());
      Map<String, Object> spec = map(d.get("spec"));
      Map<String, Object> template = map(spec.get("template"));
      Map<String, Object> podLabels = map(map(template.get("metadata")).get("labels"));
      assertThat(podLabels).as(name(d)).containsAllEntriesOf(stringMap(map(spec.get("selector")).get("matchLabels")));
      Map<String, Object> pod = map(template.get("spec"));
      assertThat(serviceAccounts).contains(String.valueOf(pod.get("serviceAccountName")));
      assertThat(pod.get("automountServiceAccountToken")).as(name(d)).isEqualTo(role.equals("revoker"));
      Map<String, Object> podSecurity = map(pod.get("securityContext"));
      assertThat(podSecurity).as(name(d)).containsEntry("runAsNonRoot", true).containsKey("runAsUser");
      Map<String, Object> c = container(d);
      assertThat(c.get("args")).as(name(d)).isEqualTo(List.of(role));
      Map<String, Object> sc = map(c.get("securityContext"));
      assertThat(sc).as(name(d)).containsEntry("readOnlyRootFilesystem", true)
          .containsEntry("allowPrivilegeEscalation", false).containsEntry("runAsNonRoot", true);
      assertThat(map(sc.get("capabilities")).get("drop")).as(name(d)).isEqualTo(List.of("ALL"));
      assertThat(probePath(c, "livenessProbe")).isEqualTo("/healthz");
      assertThat(probePath(c, "startupProbe")).isEqualTo("/healthz");
      assertThat(probePath(c, "readinessProbe")).isEqualTo("/readyz");
      List<String> mounts = ((List<?>) c.get("volumeMounts")).stream().map(m -> String.valueOf(map(m).get("mountPath"))).toList();
      assertThat(mounts).as(name(d)).contains("/var/lib/killswitch", "/tmp");
      String env = String.valueOf(c.get("env")) + c.get("envFrom");
      assertThat(env).contains("killswitch-config").contains("KILLSWITCH_API_TOKEN").contains("KILLSWITCH_AUTHZ_TOKEN");
      if (role.equals("correlator")) {
        assertThat(env).as("correlators advertise their pod IP").contains("KILLSWITCH_HTTP_ADVERTISED_HOST")
            .contains("status.podIP");
      }
      assertThat(map(map(c.get("resources")).get("limits"))).as(name(d)).containsKey("memory");
    }
    for (Map<String, Object> s : objects(docs, "Service")) {
      Map<String, Object> selector = stringMap(map(s.get("spec")).get("selector"));
      Map<String, Object> target = deployments.stream()
          .filter(d -> map(map(map(map(d.get("spec")).get("template")).get("metadata")).get("labels")).entrySet()
              .containsAll(selector.entrySet()))
          .findFirst().orElseThrow(() -> new AssertionError("Service " + name(s) + " selects no Deployment"));
      for (Object port : (List<?>) map(s.get("spec")).get("ports")) {
        assertThat(map(port).get("targetPort")).as(name(s)).isEqualTo("api");
      }
      assertThat(String.valueOf(container(target).get("ports"))).contains("name=api");
    }
    for (Map<String, Object> pdb : objects(docs, "PodDisruptionBudget")) {
      Map<String, Object> selector = stringMap(map(map(pdb.get("spec")).get("selector")).get("matchLabels"));
      assertThat(deployments.stream().anyMatch(d -> map(map(map(map(d.get("spec")).get("template")).get("metadata"))
          .get("labels")).entrySet().containsAll(selector.entrySet()))).as(name(pdb)).isTrue();
    }
    assertThat(objects(docs, "PodDisruptionBudget")).hasSize(3);
    Map<String, Object> deny = objects(docs, "NetworkPolicy").stream()
        .filter(n -> name(n).equals("killswitch-default-deny")).findFirst().orElseThrow();
    assertThat(map(deny.get("spec")).get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
    assertThat(map(deny.get("spec"))).doesNotContainKeys("ingress", "egress");
  }

  private static Set<String> triples(Map<String, Object> role) {
    Set<String> out = new TreeSet<>();
    Object rules = role.get("rules");
    if (rules == null) {
      return out;
    }
    for (Object r : (List<?>) rules) {
      for (Object g : (List<?>) map(r).get("apiGroups")) {
        for (Object res : (List<?>) map(r).get("resources")) {
          for (Object v : (List<?>) map(r).get("verbs")) {
            out.add(g + "/" + res + ":" + v);
          }
        }
      }
    }
    return out;
  }

  private static String probePath(Map<String, Object> container, String probe) {
    Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
    assertThat(get.get("port")).isEqualTo("api");
    return String.valueOf(get.get("path"));
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    List<?> containers = (List<?>) map(map(map(deployment.get("spec")).get("template")).get("spec")).get("containers");
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  private static String server(Path kubeconfig) throws IOException {
    Map<String, Object> doc = parse(Files.readString(kubeconfig, StandardCharsets.UTF_8)).get(0);
    assertThat(doc).containsEntry("kind", "Config");
    return String.valueOf(map(map(((List<?>) doc.get("clusters")).get(0)).get("cluster")).get("server"));
  }

  private static List<Map<String, Object>> base() throws IOException {
    Map<String, Object> kustomization = parse(Files.readString(K8S.resolve("base/kustomization.yaml"))).get(0);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object file : (List<?>) kustomization.get("resources")) {
      out.addAll(parse(Files.readString(K8S.resolve("base").resolve(String.valueOf(file)), StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static List<Map<String, Object>> objects(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  private static String name(Map<String, Object> doc) {
    return String.valueOf(map(doc.get("metadata")).get("name"));
  }

  private static Map<String, Object> stringMap(Object o) {
    return map(o);
  }

  static List<Map<String, Object>> parse(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (doc != null) {
        out.add(map(doc));
      }
    }
    return out;
  }
}
