package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.IdentityRef.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The joins that need a second fact to resolve, decided apart from doing (the graph step keeps the facts and calls
 * these). An observation waits at the node that is its join key ({@link NodeMessage#attribute()}) until what it
 * joins with is known there, in either order:
 *
 * <ul>
 *   <li>{@link Mode#TOKENS_OF_SERVICE_ACCOUNT}: a service account assumed an AWS role by web identity (IRSA, its
 *       subject {@code system:serviceaccount:<ns>:<sa>} and the cluster's OIDC issuer). CloudTrail does not name the
 *       token, so every token of the account seen active within the window of the call is taken to have bought the
 *       session: {@code token -assumed-> session}, a window-plus-subject match.</li>
 *   <li>{@link Mode#RUNS_OF_SUBJECT}: an OIDC subject ({@code repo:<owner>/<repo>:ref:<ref>}) federated into a
 *       cloud. Every CI run of that subject seen active within the window is taken to be the one: the observation
 *       is attributed to the run, which is recorded as {@code run -authenticated-as-> subject}, both as
 *       window-plus-subject matches.</li>
 *   <li>{@link Mode#RUN_OF_JOB}: an event carried a CI job reference only. The job's run is known once the job's
 *       own events arrive: the observation is attributed to it exactly.</li>
 *   <li>{@link Mode#CONFIRMED_SECRET_TOKEN}: a Secret was read; it becomes a {@code minted} edge to a legacy
 *       token only once the Secret is seen used as one (the audit annotation names it), so that reading an
 *       ordinary Secret never puts it in a chain (the revoker would delete it).</li>
 * </ul>
 * A window-plus-subject match covers {@code at} when it lies between {@code clockSkew} (default
 * {@value #SKEW_SECONDS} s) before the first and {@code window} after the last activity seen; both ends only grow,
 * so a match once made stays made and the final matches do not depend on arrival order.
 */
public final class Joins {

  /** The default clock-skew allowance. */
  public static final long SKEW_SECONDS = 60;
  public static final String BASIS_IRSA = "window:service-account-subject+issuer";
  public static final String BASIS_SUBJECT = "window:oidc-subject";
  public static final String BASIS_JOB = "exact:ci-job";

  /** How an observation kept at a node resolves, by the node's kind. */
  public enum Mode { TOKENS_OF_SERVICE_ACCOUNT, RUNS_OF_SUBJECT, RUN_OF_JOB, CONFIRMED_SECRET_TOKEN }

  private Joins() {}

  public static Optional<Mode> modeOf(Kind kind) {
    return Optional.ofNullable(switch (kind) {
      case K8S_SERVICE_ACCOUNT -> Mode.TOKENS_OF_SERVICE_ACCOUNT;
      case OIDC_SUBJECT -> Mode.RUNS_OF_SUBJECT;
      case GITHUB_JOB, GITLAB_JOB -> Mode.RUN_OF_JOB;
      case K8S_SECRET_TOKEN -> Mode.CONFIRMED_SECRET_TOKEN;
      default -> null;
    });
  }

  /** True when {@code at} lies within the window of an activity seen from {@code first} to {@code last}. */
  public static boolean covers(Instant first, Instant last, Instant at, JoinSettings s) {
    return first != null && last != null && !at.isBefore(first.minus(s.clockSkew()))
        && !at.isAfter(last.plus(s.window()));
  }

  /** {@code token -assumed-> session} for a service account's web-identity assumption the token is matched to. */
  public static List<NodeMessage> derivedFromToken(String token, EdgeFact assumed, JoinSettings s) {
    EdgeFact derived = new EdgeFact(token, assumed.to(), EdgeKind.ASSUMED, null, s.weakConfidence(),
        assumed.eventId(), assumed.at(), 1, null, null, assumed.sourceIps(), assumed.succeeded(), assumed.scope(),
        BASIS_IRSA, false);
    return NodeMessage.bothEnds(derived);
  }

  /** The observation attributed to a run of the subject, and the run authenticating as the subject. */
  public static List<NodeMessage> attributedToRun(String run, String subject, EdgeFact fact, JoinSettings s) {
    List<NodeMessage> out = new ArrayList<>(NodeMessage.bothEnds(fact.attributedTo(run, s.weakConfidence(),
        BASIS_SUBJECT)));
    out.addAll(NodeMessage.bothEnds(new EdgeFact(run, subject, EdgeKind.AUTHENTICATED_AS, run, s.weakConfidence(),
        fact.eventId(), fact.at(), 1, null, null, List.of(), null, null, BASIS_SUBJECT, false)));
    return out;
  }

  /** The observation attributed to the run of the job that the event named. */
  public static List<NodeMessage> attributedToRunOfJob(String run, EdgeFact fact) {
    return NodeMessage.bothEnds(fact.attributedTo(run, 1.0, BASIS_JOB));
  }
}
