package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.IdentityRef.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The triggers of DESIGN.md, decided apart from doing: pure functions from a chain and the time to what fires.
 * Each occurrence fires once (its key is kept in the chain); ids are deterministic.
 *
 * <ul>
 *   <li>{@value JobCompletedTrigger#NAME}: see {@link JobCompletedTrigger}.</li>
 *   <li>{@value #REUSE}: a credential of a run that completed is used more than {@code reuseTolerance} after the
 *       completion (source times) -> alert (high) and a request for the credential, cascade downstream.</li>
 *   <li>{@value #OUTSIDE}: a credential is used from a network other than the one it was minted from (source IPs
 *       of the minting edge, same /24 or /64, trusted CIDRs excepted), or an AWS session or key or a GCP key is
 *       used in another account or project than its own -> alert (high); a request too when
 *       {@code outsideBoundaryRevokes}. One occurrence per credential and kind (network, scope).</li>
 *   <li>A credential linked into the chain only by a window-plus-subject match makes reuse and outside-boundary
 *       alerts {@code medium} instead of {@code high}, with the confidence in the details.</li>
 *   <li>{@value #BREAK_GLASS}: a chain rooted at a break-glass identity is active past its time bound (wall clock
 *       past first activity + max duration, or an activity seen after it) -> a request for the root, cascade
 *       downstream (override as configured), and an alert (high).</li>
 *   <li>{@value #INEFFECTIVE}: a credential succeeds more than {@code revocationPropagation} after the results
 *       ledger recorded it revoked -> alert (critical), one per revocation action.</li>
 * </ul>
 */
public final class ChainTriggers {

  public static final String REUSE = "reuse-after-completion";
  public static final String OUTSIDE = "outside-boundary";
  public static final String BREAK_GLASS = "break-glass-expired";
  public static final String INEFFECTIVE = "revocation-ineffective";
  private static final Set<String> MINTING = Set.of(EdgeKind.MINTED, EdgeKind.ASSUMED, EdgeKind.IMPERSONATED);
  private static final Set<String> REVOKED = Set.of("revoked", "already-revoked");

  /** What fired, and when the chain next needs deciding by the wall clock (null: only when it changes). */
  public record Outcome(Firing firing, Instant nextDue) {}

  private ChainTriggers() {}

  public static Outcome evaluate(ChainState chain, Instant now, TriggerSettings s) {
    ChainEdges edges = new ChainEdges(chain);
    JobCompletedTrigger.Decision jc = JobCompletedTrigger.evaluate(chain, edges.credentials(), now,
        s.jobCompletedGrace(), s.mode());
    Firing f = new Firing(jc.state(), now, s, edges);
    f.replace(jc.state(), jc.requests());
    reuseAfterCompletion(f);
    outsideBoundary(f);
    Instant breakGlassDue = breakGlassExpired(f);
    revocationIneffective(f);
    ChainState state = f.state();
    Instant graceDue = state.completion() != null && now.isBefore(state.completion().dueAt())
        ? state.completion().dueAt() : null;
    return new Outcome(f, earliest(graceDue, breakGlassDue));
  }

  static void reuseAfterCompletion(Firing f) {
    ChainState c = f.state();
    Instant done = c.completedAt();
    if (done == null) {
      return;
    }
    Instant limit = done.plus(f.settings().reuseTolerance());
    ChainEdges edges = f.edges();
    for (String credential : edges.credentials()) {
      String key = REUSE + " " + credential;
      if (f.hasFired(key)) {
        continue;
      }
      for (EdgeState e : edges.used(credential)) {
        if (e.lastSeen().isAfter(limit)) {
          // How surely the use belongs to this chain: the weaker of the use's own attribution and the best edge
          // linking the credential into the chain (a session joined by a window-plus-subject match is 0.7).
          double linked = Math.min(edges.inboundConfidence(credential), e.confidence());
          f.fire(REUSE, key, credential, "credential of CI run " + c.root() + " used after the run completed ("
              + e.lastSeen() + ", completed " + done + ")", true, false, severity(linked),
              credential + " was used after its CI run " + c.root() + " completed", evidence(e),
              Map.of("completedAt", done.toString(), "usedAt", e.lastSeen().toString(), "usedAs", e.to(),
                  "verbs", String.join(",", e.verbs()), "confidence", Double.toString(linked)));
          break;
        }
      }
    }
  }

  static void outsideBoundary(Firing f) {
    ChainState c = f.state();
    TriggerSettings s = f.settings();
    ChainEdges edges = f.edges();
    for (String credential : edges.credentials()) {
      List<EdgeState> used = edges.used(credential);
      if (used.isEmpty()) {
        continue; // no use: no scope or network seen, nothing to decide
      }
      IdentityRef ref = hasOwnScope(Nodes.kindOf(credential)) ? IdentityRef.parse(credential) : null;
      Set<String> home = new TreeSet<>();
      for (EdgeState e : edges.inbound(credential)) {
        if (MINTING.contains(e.kind())) {
          for (String ip : e.sourceIps()) {
            if (Networks.isAddress(ip)) {
              home.add(ip);
            }
          }
        }
      }
      Set<String> foreignScopes = new TreeSet<>();
      Set<String> foreignIps = new TreeSet<>();
      List<String> evidence = new ArrayList<>();
      for (EdgeState e : used) {
        boolean outside = false;
        if (ref != null) {
          for (String scope : e.scopes()) {
            if (!scope.equals(ref.scope())) {
              foreignScopes.add(scope);
              outside = true;
            }
          }
        }
        if (!home.isEmpty()) {
          for (String ip : e.sourceIps()) {
            if (Networks.isAddress(ip) && !Networks.within(ip, s.trustedNetworks()) && !inHome(home, ip, s)) {
              foreignIps.add(ip);
              outside = true;
            }
          }
        }
        if (outside) {
          evidence.addAll(evidence(e));
        }
      }
      if (foreignScopes.isEmpty() && foreignIps.isEmpty()) {
        continue;
      }
      String severity = severity(edges.inboundConfidence(credential));
      if (!foreignScopes.isEmpty() && !f.hasFired(OUTSIDE + " " + credential + " scope")) {
        List<String> shown = foreignScopes.stream().map(s::displayScope).toList();
        f.fire(OUTSIDE, OUTSIDE + " " + credential + " scope", credential, credential + " used outside "
            + s.displayScope(ref.scope()) + ", in " + String.join(", ", shown), s.outsideBoundaryRevokes(), false,
            severity, credential + " of " + s.displayScope(ref.scope()) + " was used in " + String.join(", ", shown),
            evidence, Map.of("boundary", "scope", "home", ref.scope(), "seen", String.join(",", foreignScopes)),
            "scope");
      }
      if (!foreignIps.isEmpty() && !f.hasFired(OUTSIDE + " " + credential + " network")) {
        f.fire(OUTSIDE, OUTSIDE + " " + credential + " network", credential, credential
            + " used from a network it was not minted from (" + String.join(", ", foreignIps) + ")",
            s.outsideBoundaryRevokes(), false, severity, credential + " was used from " + String.join(", ", foreignIps)
            + ", outside the network it was minted from (" + String.join(", ", home) + ")", evidence,
            Map.of("boundary", "network", "home", String.join(",", home), "seen", String.join(",", foreignIps)),
            "network");
      }
    }
  }

  /** Returns when the chain's grant expires while it has not fired yet, else null. */
  static Instant breakGlassExpired(Firing f) {
    ChainState c = f.state();
    TriggerSettings.BreakGlass bg = f.settings().breakGlassOf(c.root());
    String key = BREAK_GLASS + " " + c.root();
    if (bg == null || c.edges().isEmpty() || f.hasFired(key)) {
      return null;
    }
    Instant start = c.edges().values().stream().map(EdgeState::firstSeen).min(Instant::compareTo).orElseThrow();
    Instant expiry = start.plus(bg.maxDuration());
    EdgeState late = c.edges().values().stream().filter(e -> e.lastSeen().isAfter(expiry))
        .max((a, b) -> a.lastSeen().compareTo(b.lastSeen())).orElse(null);
    if (late == null && f.now().isBefore(expiry)) {
      return expiry;
    }
    f.fire(BREAK_GLASS, key, c.root(), "break-glass grant of " + c.root() + " outlived its bound of "
        + bg.maxDuration() + " (first active " + start + ")", true, bg.override(), "high",
        "break-glass identity " + c.root() + " is still active past its bound of " + bg.maxDuration(),
        late == null ? List.of() : evidence(late),
        Map.of("grantStart", start.toString(), "expiredAt", expiry.toString()), start.toString());
    return null;
  }

  static void revocationIneffective(Firing f) {
    ChainState c = f.state();
    for (Map.Entry<String, RevocationMark> r : c.revocations().entrySet()) {
      RevocationMark mark = r.getValue();
      if (!REVOKED.contains(mark.outcome()) || mark.recordedAt() == null) {
        continue;
      }
      String target = r.getKey();
      String key = INEFFECTIVE + " " + target + " " + mark.actionId();
      Instant limit = mark.recordedAt().plus(f.settings().revocationPropagation());
      if (f.hasFired(key)) {
        continue;
      }
      for (EdgeState e : f.edges().used(target)) {
        if (e.lastSucceeded() != null && e.lastSucceeded().isAfter(limit)) {
          f.fire(INEFFECTIVE, key, target, null, false, false, "critical", target + " succeeded at "
              + e.lastSucceeded() + " after its revocation (" + mark.action() + ") was recorded " + mark.outcome()
              + " at " + mark.recordedAt(), evidence(e), Map.of("actionId", mark.actionId(),
              "action", String.valueOf(mark.action()), "recordedAt", mark.recordedAt().toString(),
              "succeededAt", e.lastSucceeded().toString()), mark.actionId());
          break;
        }
      }
    }
  }

  /** A finding about a credential linked by a weaker match is worth a look, not a page. */
  private static String severity(double confidence) {
    return confidence < 1.0 ? "medium" : "high";
  }

  private static boolean inHome(Set<String> home, String ip, TriggerSettings s) {
    for (String h : home) {
      if (Networks.sameNetwork(h, ip, s.prefixV4(), s.prefixV6())) {
        return true;
      }
    }
    return false;
  }

  /** Kinds whose reference names the account or project they belong to and may be used in. */
  private static boolean hasOwnScope(Kind kind) {
    return kind == Kind.AWS_SESSION || kind == Kind.AWS_ACCESS_KEY || kind == Kind.GCP_SA_KEY;
  }

  private static List<String> evidence(EdgeState e) {
    TreeSet<String> ids = new TreeSet<>();
    if (e.latest() != null) {
      ids.add(e.latest().id());
    }
    return new ArrayList<>(ids);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }
}
