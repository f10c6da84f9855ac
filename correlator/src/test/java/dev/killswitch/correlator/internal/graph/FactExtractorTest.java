package dev.killswitch.correlator.internal.graph;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.oidcUser;
import static dev.killswitch.correlator.Events.run;
import static dev.killswitch.correlator.Events.sa;
import static dev.killswitch.correlator.Events.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.correlator.Events;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FactExtractorTest {

  private static final Instant RECORD_TIME = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aTokenRequestCarryingTheRunLinksRunUserTokenAndServiceAccountForThatRun() {
    Facts facts = FactExtractor.extract(Events.tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0),
        RECORD_TIME);

    assertThat(outbound(facts)).extracting(EdgeFact::from, EdgeFact::kind, EdgeFact::to, EdgeFact::root,
            EdgeFact::confidence, EdgeFact::eventId, EdgeFact::at)
        .containsExactly(
            tuple(run("9001"), "authenticated-as", oidcUser(), run("9001"), 1.0, "a-1:ResponseComplete", T0),
            tuple(oidcUser(), "minted", token("jti-1"), run("9001"), 1.0, "a-1:ResponseComplete", T0),
            tuple(token("jti-1"), "credential-of", sa("ci", "deployer"), run("9001"), 1.0, "a-1:ResponseComplete", T0));
    assertThat(facts.nodes()).filteredOn(n -> n.inbound() != null).extracting(NodeMessage::node)
        .containsExactly(oidcUser(), token("jti-1"), sa("ci", "deployer"));
  }

  @Test
  void aTokenRequestWithoutARunStillRecordsWhatWasMintedButForNoChain() {
    Facts facts = FactExtractor.extract(Events.tokenRequest("a-1", null, "jti-1", "ci", "deployer", T0), RECORD_TIME);

    assertThat(outbound(facts)).extracting(EdgeFact::kind, EdgeFact::root)
        .containsExactly(tuple("minted", null), tuple("credential-of", null));
  }

  @Test
  void theIssuedCredentialIdMayStillCarryItsJtiPrefix() {
    var e = Events.tokenRequest("a-1", "9001", "JTI=jti-1", "ci", "deployer", T0);
    assertThat(outbound(FactExtractor.extract(e, RECORD_TIME))).extracting(EdgeFact::to).contains(token("jti-1"));
  }

  @Test
  void aRequestMadeWithATokenIsAUseOfItAsItsServiceAccount() {
    Facts facts = FactExtractor.extract(
        Events.tokenUse("a-2", "jti-1", "ci", "deployer", "get", "secrets", "10.0.0.5", T0), RECORD_TIME);

    assertThat(outbound(facts)).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo(token("jti-1"));
      assertThat(e.to()).isEqualTo(sa("ci", "deployer"));
      assertThat(e.kind()).isEqualTo("used");
      assertThat(e.root()).isNull();
      assertThat(e.verb()).isEqualTo("get");
      assertThat(e.resource()).isEqualTo("ci/secrets");
      assertThat(e.sourceIps()).containsExactly("10.0.0.5");
      assertThat(e.count()).isEqualTo(1);
    });
  }

  @Test
  void aResponseStartedStageAddsDetailButIsNotCountedAgain() {
    K8sAuditEvent a = Events.tokenUse("a-2", "jti-1", "ci", "deployer", "create", "pods", "10.0.0.5", T0).data();
    K8sAuditEvent started = new K8sAuditEvent(a.cluster(), a.auditId(), "ResponseStarted", a.level(), a.verb(),
        a.requestUri(), a.user(), a.actor(), a.credentialId(), a.serviceAccount(), a.boundPod(), a.boundNode(),
        a.ciRun(), new K8sAuditEvent.ObjectRef(null, "v1", "pods", "exec", "ci", "web-0"), a.sourceIps(),
        a.userAgent(), a.decision(), a.decisionReason(), 101, null, null, null, false, T0, T0, null);
    Facts facts = FactExtractor.extract(new Envelope<>("a-2:ResponseStarted", URI.create("k8s://prod-eu"),
        EventType.K8S_AUDIT, a.actor(), null, a.actor(), started), RECORD_TIME);

    assertThat(outbound(facts)).singleElement().satisfies(e -> {
      assertThat(e.count()).isZero();
      assertThat(e.resource()).isEqualTo("ci/pods/exec");
      assertThat(e.at()).as("no CloudEvent time: the record time").isEqualTo(RECORD_TIME);
    });
  }

  @Test
  void aJobMakesItsRunARootAndTellsItsStatusThroughTheRunsNode() {
    Facts facts = FactExtractor.extract(Events.ciJob("d-1", "9001", "71", "Completed", "success", T0), RECORD_TIME);

    assertThat(facts.nodes()).extracting(NodeMessage::node, NodeMessage::roots).containsExactly(
        tuple(run("9001"), List.of(run("9001"))), tuple(Events.job("71"), List.of(run("9001"))),
        tuple("oidc:token.actions.githubusercontent.com/repo:acme/app:ref:refs/heads/main", List.of()));
    assertThat(facts.nodes().get(0).ci()).isEqualTo(
        new CiFact(run("9001"), Events.job("71"), "completed", "success", 1, T0, "d-1"));
    assertThat(facts.nodes().get(2).candidate()).as("the run's default OIDC subject learns the run was active")
        .isEqualTo(new CandidateFact(run("9001"), T0));
  }

  @Test
  void aResultIsToldToTheNodeItTargets() {
    Facts facts = FactExtractor.extract(Events.result("act-1", "req-1", "k8s.deny-token", token("jti-1"),
        RevocationResult.Outcome.DRY_RUN, T0), RECORD_TIME);

    assertThat(facts.nodes()).singleElement().satisfies(n -> {
      assertThat(n.node()).isEqualTo(token("jti-1"));
      assertThat(n.revocation().outcome()).isEqualTo("dry-run");
      assertThat(n.revocation().actionId()).isEqualTo("act-1");
    });
  }

  @Test
  void aCloudRecordThatNamesNoCredentialAndMintedNothingTeachesNothing() {
    var cloud = new Envelope<>("ev-1", URI.create("aws://123456789012/us-east-1"), EventType.AWS_CLOUDTRAIL,
        null, null, "aws:123456789012:role/ci",
        new dev.killswitch.schemas.event.AwsCloudTrailEvent("ev-1", "AssumeRole", "sts.amazonaws.com", "us-east-1",
            "123456789012", null, null, null, null, null, null, null, null, null, null, null, null, null, null));
    assertThat(FactExtractor.extract(cloud, RECORD_TIME).isEmpty()).isTrue();
  }

  @Test
  void rejectsTypesTheCorrelatorDoesNotRead() {
    var chain = new Envelope<>("c-1", URI.create("killswitch://correlator"), EventType.CHAIN, null, null, "x",
        new ChainSnapshot("x", run("1"), "active", List.of(), List.of(), null));
    assertThatThrownBy(() -> FactExtractor.extract(chain, RECORD_TIME))
        .isInstanceOfSatisfying(CorrelatorException.class,
            e -> assertThat(e.reason()).isEqualTo(CorrelatorException.Reason.UNEXPECTED_TYPE));
  }

  @Test
  void rejectsAMalformedReferenceNamingTheField() {
    var e = Events.tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0);
    K8sAuditEvent a = e.data();
    K8sAuditEvent bad = new K8sAuditEvent(a.cluster(), a.auditId(), a.stage(), a.level(), a.verb(), a.requestUri(),
        a.user(), a.actor(), a.credentialId(), a.serviceAccount(), a.boundPod(), a.boundNode(), a.ciRun(),
        a.objectRef(), a.sourceIps(), a.userAgent(), a.decision(), a.decisionReason(), a.responseCode(),
        a.issuedCredentialId(), "k8s:prod-eu:sa/no-name", null, false, T0, T0, null);
    var event = new Envelope<>(e.id(), e.source(), e.type(), e.subject(), e.time(), e.partitionKey(), bad);

    assertThatThrownBy(() -> FactExtractor.extract(event, RECORD_TIME))
        .isInstanceOfSatisfying(CorrelatorException.class, x -> {
          assertThat(x.reason()).isEqualTo(CorrelatorException.Reason.INVALID_IDENTITY_REF);
          assertThat(x.getMessage()).startsWith("issuedFor: invalid identity reference 'k8s:prod-eu:sa/no-name'");
        });
  }

  @Test
  void aFailedTokenRequestMintsNothing() {
    K8sAuditEvent a = Events.tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0).data();
    K8sAuditEvent denied = new K8sAuditEvent(a.cluster(), a.auditId(), a.stage(), a.level(), a.verb(),
        a.requestUri(), a.user(), a.actor(), null, null, null, null, a.ciRun(), a.objectRef(), a.sourceIps(),
        a.userAgent(), "forbid", "RBAC: denied", 403, "jti-1", a.issuedFor(), null, false, T0, T0, null);
    Facts facts = FactExtractor.extract(new Envelope<>("a-1:ResponseComplete", URI.create("k8s://prod-eu"),
        EventType.K8S_AUDIT, a.actor(), null, a.actor(), denied), RECORD_TIME);
    assertThat(outbound(facts)).extracting(EdgeFact::kind).containsExactly("authenticated-as");
  }

  private static List<EdgeFact> outbound(Facts facts) {
    return facts.nodes().stream().map(NodeMessage::outbound).filter(java.util.Objects::nonNull).toList();
  }
}
