package dev.killswitch.correlator.internal.graph;

import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import dev.killswitch.schemas.event.GcpAuditEvent;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one decoded event into graph facts. Pure: no state, no I/O, no clock; the same event always gives the
 * same facts. Each edge is told to both of its endpoints (outbound to the source, inbound to the target).
 *
 * <ul>
 *   <li>ci.run / ci.job: the run is the root of its own chain, a job is part of its run's chain; the status goes
 *       to the run's node, which passes it on to the chain. The run is also a candidate for the OIDC subject its
 *       jobs authenticate as by default (see {@link Joins#attributedToRun}).</li>
 *   <li>k8s.audit: see {@link K8sFacts}.</li>
 *   <li>aws.cloudtrail: see {@link AwsFacts}.</li>
 *   <li>gcp.audit: see {@link GcpFacts}.</li>
 *   <li>revocation.result: the outcome, told to the node it targets.</li>
 * </ul>
 */
public final class FactExtractor {

  private FactExtractor() {}

  /** With the default settings (user.extra keys, no issuer map, no extra roots). */
  public static Facts extract(Envelope<?> event, Instant recordTime) {
    return extract(event, recordTime, JoinSettings.defaults());
  }

  /**
   * @param recordTime used when the event has no {@code time}
   * @throws CorrelatorException when the event is of a type the correlator does not read, or names an
   *     identity that is not a well-formed reference
   */
  public static Facts extract(Envelope<?> event, Instant recordTime, JoinSettings settings) {
    Instant at = event.time() != null ? event.time().toInstant() : recordTime;
    return switch (event.type()) {
      case CI_JOB -> ciJob(event.id(), event.dataAs(CiJobEvent.class), at, settings);
      case CI_RUN -> ciRun(event.id(), event.dataAs(CiRunEvent.class), at, settings);
      case K8S_AUDIT -> K8sFacts.extract(event.id(), event.dataAs(K8sAuditEvent.class), at, settings);
      case AWS_CLOUDTRAIL -> AwsFacts.extract(event.id(), event.dataAs(AwsCloudTrailEvent.class), at, settings);
      case GCP_AUDIT -> GcpFacts.extract(event.id(), event.dataAs(GcpAuditEvent.class), at, settings);
      case REVOCATION_RESULT -> result(event.dataAs(RevocationResult.class));
      default -> throw CorrelatorException.unexpectedType(event.type());
    };
  }

  private static Facts ciJob(String eventId, CiJobEvent job, Instant at, JoinSettings s) {
    String run = Refs.requiredRef(job.run(), "ci.job", "run");
    String jobRef = Refs.requiredRef(job.job(), "ci.job", "job");
    String status = Refs.required(job.status(), "ci.job", "status").toLowerCase(Locale.ROOT);
    List<NodeMessage> nodes = new ArrayList<>(List.of(
        NodeMessage.runStatus(new CiFact(run, jobRef, status, job.conclusion(), job.attempt(), at, eventId)),
        NodeMessage.member(jobRef, run)));
    candidate(run, job.provider(), job.repository(), job.ref(), at, s, nodes);
    return new Facts(nodes);
  }

  private static Facts ciRun(String eventId, CiRunEvent run, Instant at, JoinSettings s) {
    String runRef = Refs.requiredRef(run.run(), "ci.run", "run");
    String status = Refs.required(run.status(), "ci.run", "status").toLowerCase(Locale.ROOT);
    List<NodeMessage> nodes = new ArrayList<>(List.of(
        NodeMessage.runStatus(new CiFact(runRef, null, status, run.conclusion(), run.attempt(), at, eventId))));
    candidate(runRef, run.provider(), run.repository(), run.ref(), at, s, nodes);
    return new Facts(nodes);
  }

  /** Tells the run's default OIDC subject that the run was active at {@code at}. */
  private static void candidate(String run, String provider, String repository, String ref, Instant at,
                                JoinSettings s, List<NodeMessage> out) {
    String subject = defaultSubject(run, provider, repository, ref, s);
    if (subject != null) {
      out.add(NodeMessage.candidate(subject, new CandidateFact(run, at)));
    }
  }

  /**
   * The OIDC subject a run's jobs present by default: GitHub {@code repo:<owner>/<repo>:ref:<ref>} (issuer
   * {@code token.actions.githubusercontent.com}), GitLab {@code project_path:<path>:ref_type:branch:ref:<ref>}
   * (issuer: the GitLab host). Customized subject claims (environments, pull requests) are not derived.
   */
  static String defaultSubject(String run, String provider, String repository, String ref, JoinSettings s) {
    if (repository == null || ref == null || ref.isBlank()) {
      return null;
    }
    IdentityRef runRef = IdentityRef.parse(run);
    IdentityRef subject = switch (runRef.kind()) {
      case GITHUB_RUN -> Refs.lenient(() -> IdentityRef.oidcSubject(s.githubIssuer(),
          "repo:" + repository + ":ref:" + (ref.startsWith("refs/") ? ref : "refs/heads/" + ref)));
      case GITLAB_PIPELINE -> Refs.lenient(() -> IdentityRef.oidcSubject(
          runRef.scope().substring(0, runRef.scope().indexOf('/')),
          "project_path:" + repository + ":ref_type:branch:ref:" + ref.replaceFirst("^refs/heads/", "")));
      default -> null;
    };
    return subject == null || provider == null ? null : subject.toString();
  }

  private static Facts result(RevocationResult r) {
    String target = Refs.requiredRef(r.target(), "revocation.result", "target");
    String actionId = Refs.required(r.actionId(), "revocation.result", "actionId");
    RevocationMark mark = RevocationMark.of(r);
    return new Facts(List.of(NodeMessage.revocation(new RevocationMark(actionId, mark.requestId(), mark.action(),
        target, mark.outcome(), mark.detail(), mark.recordedAt()))));
  }
}
