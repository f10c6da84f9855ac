package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.IdentityRef.Kind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The identity-reference grammar of DESIGN.md, one example (or more) per kind. */
class IdentityRefTest {

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of("ci:github:acme/app/runs/1234", IdentityRef.githubRun("acme/app", "1234")),
        Arguments.of("ci:github:acme/app/jobs/29679449", IdentityRef.githubJob("acme/app", "29679449")),
        Arguments.of("ci:gitlab:gitlab.com/group/sub/project/pipelines/7",
            IdentityRef.gitlabPipeline("gitlab.com/group/sub/project", "7")),
        Arguments.of("ci:gitlab:gitlab.com/group/sub/project/jobs/42",
            IdentityRef.gitlabJob("gitlab.com/group/sub/project", "42")),
        Arguments.of("ci:cdevents:/event/source/123/mySubject123",
            IdentityRef.cdeventsRun("/event/source/123", "mySubject123")),
        Arguments.of("ci:cdevents:https://tekton.example.com/ns/ci/pipelineruns%2Fbuild-7x2k",
            IdentityRef.cdeventsRun("https://tekton.example.com/ns/ci", "pipelineruns/build-7x2k")),
        Arguments.of("oidc:token.actions.githubusercontent.com/repo:acme/app:ref:refs/heads/main",
            IdentityRef.oidcSubject("token.actions.githubusercontent.com", "repo:acme/app:ref:refs/heads/main")),
        Arguments.of("k8s:prod:user/system:serviceaccount:ci:deployer",
            IdentityRef.k8sUser("prod", "system:serviceaccount:ci:deployer")),
        Arguments.of("k8s:prod:sa/ci/deployer", IdentityRef.k8sServiceAccount("prod", "ci", "deployer")),
        Arguments.of("k8s:prod:token/7c1a0e1f-6b9d-4c3e-9a55-0f2d8e4b1a77",
            IdentityRef.k8sToken("prod", "7c1a0e1f-6b9d-4c3e-9a55-0f2d8e4b1a77")),
        Arguments.of("k8s:prod:secret-token/ci/deployer-token-x7k2p",
            IdentityRef.k8sSecretToken("prod", "ci", "deployer-token-x7k2p")),
        Arguments.of("k8s:prod:pod/ci/runner-5f7d9c-abcde", IdentityRef.k8sPod("prod", "ci", "runner-5f7d9c-abcde")),
        Arguments.of("k8s:prod:binding/ci/deployer-edit", IdentityRef.k8sBinding("prod", "ci", "deployer-edit")),
        Arguments.of("k8s:prod:binding/_cluster/ci-cluster-admin", IdentityRef.k8sBinding("prod", null, "ci-cluster-admin")),
        Arguments.of("aws:123456789012:role/gha-deploy", IdentityRef.awsRole("123456789012", "gha-deploy")),
        Arguments.of("aws:123456789012:user/ci-bot", IdentityRef.awsUser("123456789012", "ci-bot")),
        Arguments.of("aws:123456789012:access-key/AKIAIOSFODNN7EXAMPLE",
            IdentityRef.awsAccessKey("123456789012", "AKIAIOSFODNN7EXAMPLE")),
        Arguments.of("aws:123456789012:session/ASIA37QFXJP5MQOWRZ6Q",
            IdentityRef.awsSession("123456789012", "ASIA37QFXJP5MQOWRZ6Q")),
        Arguments.of("gcp:acme-prod:sa/deployer@acme-prod.iam.gserviceaccount.com",
            IdentityRef.gcpServiceAccount("acme-prod", "deployer@acme-prod.iam.gserviceaccount.com")),
        Arguments.of("gcp:acme-prod:sa-key/deployer@acme-prod.iam.gserviceaccount.com/1a2b3c4d5e6f",
            IdentityRef.gcpServiceAccountKey("acme-prod", "deployer@acme-prod.iam.gserviceaccount.com", "1a2b3c4d5e6f")),
        Arguments.of("gcp:wif/projects/123/locations/global/workloadIdentityPools/github/repo:acme/app:ref:refs/heads/main",
            IdentityRef.gcpWifPrincipal("projects/123/locations/global/workloadIdentityPools/github",
                "repo:acme/app:ref:refs/heads/main")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("examples")
  void parsesEachDesignExampleIntoTheReferenceItsFactoryBuilds(String text, IdentityRef built) {
    assertThat(IdentityRef.parse(text)).isEqualTo(built);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("examples")
  void formatsEachReferenceAsItsCanonicalText(String text, IdentityRef built) {
    assertThat(built.toString()).isEqualTo(text);
  }

  @Test
  void examplesCoverEveryKind() {
    Set<Kind> seen = EnumSet.noneOf(Kind.class);
    examples().forEach(a -> seen.add(((IdentityRef) a.get()[1]).kind()));
    assertThat(seen).containsExactlyInAnyOrder(Kind.values());
  }

  @Test
  void namesThePartsOfEachKind() {
    IdentityRef sa = IdentityRef.parse("k8s:prod:sa/ci/deployer");
    assertThat(sa.kind()).isEqualTo(Kind.K8S_SERVICE_ACCOUNT);
    assertThat(sa.scope()).isEqualTo("prod");
    assertThat(sa.part("namespace")).isEqualTo("ci");
    assertThat(sa.part("name")).isEqualTo("deployer");
    assertThat(sa.leaf()).isEqualTo("deployer");

    IdentityRef key = IdentityRef.parse("gcp:acme-prod:sa-key/deployer@acme-prod.iam.gserviceaccount.com/1a2b3c");
    assertThat(key.part("email")).isEqualTo("deployer@acme-prod.iam.gserviceaccount.com");
    assertThat(key.part("keyId")).isEqualTo("1a2b3c");
  }

  @Test
  void keepsSlashesAndColonsInFreeFormSubjects() {
    IdentityRef user = IdentityRef.parse("k8s:prod:user/https://issuer.example.com/#alice");
    assertThat(user.part("username")).isEqualTo("https://issuer.example.com/#alice");

    IdentityRef oidc = IdentityRef.parse("oidc:gitlab.com/project_path:group/sub/project:ref_type:branch:ref:main");
    assertThat(oidc.scope()).isEqualTo("gitlab.com");
    assertThat(oidc.part("sub")).isEqualTo("project_path:group/sub/project:ref_type:branch:ref:main");
  }

  @Test
  void escapesSlashAndPercentInACdeventsSubjectIdOnly() {
    IdentityRef ref = IdentityRef.cdeventsRun("https://ci.example/a%20b", "runs/50%/x");
    assertThat(ref.toString()).isEqualTo("ci:cdevents:https://ci.example/a%20b/runs%2F50%25%2Fx");
    assertThat(IdentityRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void acceptsAnIssuerHostWithAPort() {
    IdentityRef ref = IdentityRef.oidcSubject("keycloak.example.com:8443", "9f1c2e7a-alice");
    assertThat(ref.toString()).isEqualTo("oidc:keycloak.example.com:8443/9f1c2e7a-alice");
    assertThat(IdentityRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void keepsUnicodeSourceValuesAsTheyAre() {
    IdentityRef ref = IdentityRef.k8sUser("prod-eu", "jürgen@例え.jp");
    assertThat(ref.toString()).isEqualTo("k8s:prod-eu:user/jürgen@例え.jp");
    assertThat(IdentityRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void classifiesCredentialsAndCiNodes() {
    assertThat(IdentityRef.parse("k8s:prod:token/abc").kind().isCredential()).isTrue();
    assertThat(IdentityRef.parse("aws:1:session/ASIA1").kind().isCredential()).isTrue();
    assertThat(IdentityRef.parse("k8s:prod:sa/ci/x").kind().isCredential()).isFalse();
    assertThat(IdentityRef.parse("ci:gitlab:gitlab.com/g/p/jobs/1").kind().isCi()).isTrue();
    assertThat(IdentityRef.parse("oidc:h/s").kind().isCi()).isFalse();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(null, "empty"),
        Arguments.of("", "empty"),
        Arguments.of("   ", "empty"),
        Arguments.of("K8S:prod:user/alice", "unknown prefix"),
        Arguments.of("azure:tenant:sp/x", "unknown prefix"),
        Arguments.of("k8s:prod:serviceaccount/ci/deployer", "unknown kind 'serviceaccount'"),
        Arguments.of("k8s:prod", "expected k8s:<scope>:<kind>/<name>"),
        Arguments.of("k8s::token/abc", "expected k8s:<scope>:<kind>/<name>"),
        Arguments.of("k8s:prod:token/", "jti is empty"),
        Arguments.of("k8s:prod:token/a/b", "jti must not contain '/'"),
        Arguments.of("k8s:prod:sa/deployer", "takes namespace/name"),
        Arguments.of("k8s:prod:sa/ci/deploy/er", "name must not contain '/'"),
        Arguments.of("k8s:prod:user/alice smith", "contains white space"),
        Arguments.of("k8s:pr/od:user/alice", "scope must not contain"),
        Arguments.of("aws:123456789012:role/path/gha-deploy", "name must not contain '/'"),
        Arguments.of("ci:github:acme/app/runs", "expected ci:github:<owner>/<repo>/runs|jobs/<id>"),
        Arguments.of("ci:github:acme/app/builds/12", "expected 'runs' or 'jobs', got 'builds'"),
        Arguments.of("ci:github:/app/runs/12", "scope must be <owner>/<repo>"),
        Arguments.of("ci:gitlab:gitlab.com/jobs/42", "scope must be <host>/<project path>"),
        Arguments.of("ci:gitlab:gitlab.com/g//p/jobs/42", "scope must be <host>/<project path>"),
        Arguments.of("ci:gitlab:gitlab.com/g/p/builds/42", "expected 'pipelines' or 'jobs', got 'builds'"),
        Arguments.of("ci:cdevents:subject-only", "expected ci:cdevents:<source>/<subject id>"),
        Arguments.of("ci:cdevents:/src/50%", "must be %25 or %2F"),
        Arguments.of("ci:cdevents:/src/a%2fb", "must be %25 or %2F"),
        Arguments.of("oidc:token.actions.githubusercontent.com", "expected oidc:<issuer host>/<sub>"),
        Arguments.of("oidc:/repo:acme/app", "expected oidc:<issuer host>/<sub>"),
        Arguments.of("gcp:wif/projects/123/workloadIdentityPools/github/sub",
            "expected gcp:wif/projects/<n>/locations/<l>/workloadIdentityPools/<pool>/<subject>"),
        Arguments.of("gcp:wif/projects/123/locations/global/workloadIdentityPools/github",
            "expected gcp:wif/projects/<n>/locations/<l>/workloadIdentityPools/<pool>/<subject>"),
        Arguments.of("gcp:acme-prod:sa-key/deployer@acme-prod.iam.gserviceaccount.com", "takes email/keyId"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("malformed")
  void rejectsAMalformedReferenceNamingTheProblem(String text, String problem) {
    assertThatThrownBy(() -> IdentityRef.parse(text))
        .isInstanceOf(InvalidIdentityRefException.class)
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(((InvalidIdentityRefException) e).input()).isEqualTo(text));
  }

  @Test
  void reportsTheWholeReferenceWhenOnePartBreaksARule() {
    // The part itself contains the "': " that separates text and problem in the message.
    String text = "k8s:prod:sa/ci/it's': odd";
    String problem = "K8S_SERVICE_ACCOUNT: name contains white space or a control character";
    assertThatThrownBy(() -> IdentityRef.parse(text))
        .isInstanceOfSatisfying(InvalidIdentityRefException.class, e -> {
          assertThat(e.getMessage()).isEqualTo("invalid identity reference '" + text + "': " + problem);
          assertThat(e.problem()).isEqualTo(problem);
        });
  }

  @Test
  void factoriesRejectInvalidPartsWithTheSameException() {
    assertThatThrownBy(() -> IdentityRef.k8sToken("prod", "a/b"))
        .isInstanceOf(InvalidIdentityRefException.class).hasMessageContaining("jti must not contain '/'");
    assertThatThrownBy(() -> IdentityRef.githubRun("acme", "1"))
        .isInstanceOf(InvalidIdentityRefException.class).hasMessageContaining("<owner>/<repo>");
    assertThatThrownBy(() -> IdentityRef.k8sUser("", "alice"))
        .isInstanceOf(InvalidIdentityRefException.class).hasMessageContaining("scope is empty");
    assertThatThrownBy(() -> new IdentityRef(Kind.K8S_POD, "prod", List.of("ci")))
        .isInstanceOf(InvalidIdentityRefException.class).hasMessageContaining("takes [namespace, name]");
  }
}
