package dev.killswitch.revoker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.revoker.RevokerException;
import dev.killswitch.revoker.kubernetes.AuthorizationWebhook;
import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revoker's HTTP paths: {@code POST /v1/revocations}, {@code GET /v1/revocations/{requestId}} and the
 * Kubernetes authorization webhook {@code POST /v1/k8s/authorize/{cluster}}.
 */
public final class RevocationApi {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationApi.class);
  private static final Duration LEDGER_CATCH_UP = Duration.ofSeconds(5);

  private final ApiAccess access;
  private final Publisher publisher;
  private final Ledger ledger;
  private final TopicView ledgerView;
  private final AuthorizationWebhook webhook;
  private final RevokerMetrics metrics;
  private final Clock clock;
  private final RevocationRequests requests;
  private final Offsets offsets;
  private final String plannerGroup;
  private final Approvals approvals;

  public RevocationApi(ApiAccess access, Publisher publisher, Ledger ledger, TopicView ledgerView,
                       ChainView chains, Guardrails guardrails, AuthorizationWebhook webhook, RevokerMetrics metrics,
                       Clock clock, Mode defaultMode, Offsets offsets, String plannerGroup) {
    this.approvals = new Approvals(ledger, ledgerView, chains, guardrails, publisher, clock, LEDGER_CATCH_UP);
    this.offsets = offsets;
    this.plannerGroup = plannerGroup;
    this.access = access;
    this.publisher = publisher;
    this.ledger = ledger;
    this.ledgerView = ledgerView;
    this.webhook = webhook;
    this.metrics = metrics;
    this.clock = clock;
    this.requests = new RevocationRequests(clock, defaultMode);
  }

  public void addRoutes(RoutesConfig routes) {
    routes.post("/v1/revocations", this::postRevocation);
    routes.get("/v1/revocations/{requestId}", this::getRevocation);
    routes.post("/v1/revocations/{requestId}/approve", this::approve);
    routes.post("/v1/k8s/authorize/{cluster}", this::authorize);
  }

  /** Publishes a revocation request and answers 202 once Kafka acknowledged it. */
  void postRevocation(Context ctx) {
    if (!Http.authorized(ctx, access, Role.REVOKER)) {
      return;
    }
    String caller = "user:" + Http.callerFingerprint(ctx);
    Envelope<RevocationRequested> event;
    try {
      String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
      event = contentType.startsWith("application/cloudevents+json")
          ? requests.fromCloudEvent(ctx.bodyAsBytes(), caller)
          : Events.request(requests.fromJson(ctx.bodyAsBytes(), caller));
    } catch (RevocationRequests.BadRequest e) {
      Http.error(ctx, 400, e.code(), e.getMessage());
      return;
    }
    try {
      publisher.awaitAll(List.of(publisher.send(publisher.topics().revocationRequests(), event)));
    } catch (RevokerException e) {
      LOG.warn("revocation request {} not published: {}", event.data().requestId(), e.getMessage());
      ctx.header("Retry-After", "5");
      Http.error(ctx, 503, "kafka-unavailable", "the request was not acknowledged by Kafka; try again");
      return;
    }
    RevocationRequested r = event.data();
    LOG.info("revocation {} of {} requested by {} ({}, cascade {})", r.requestId(), r.target(), r.requestedBy(),
        r.mode().wire(), r.cascade().wire());
    Http.json(ctx, 202, Map.of("requestId", r.requestId()));
  }

  /** The request, its actions and each outcome, from the ledger. */
  void getRevocation(Context ctx) {
    if (!Http.authorized(ctx, access, Role.ANALYST, Role.REVOKER)) {
      return;
    }
    String requestId = ctx.pathParam("requestId");
    Optional<Ledger.RequestView> view = ledger.view(requestId);
    if (view.isEmpty()) {
      // Maybe just requested: read the ledger to its end before saying it does not exist.
      try {
        ledgerView.awaitEnd(LEDGER_CATCH_UP);
      } catch (RevokerException e) {
        ctx.header("Retry-After", "5");
        Http.error(ctx, 503, "not-ready", "the revocation ledger is not caught up: " + e.getMessage());
        return;
      }
      view = ledger.view(requestId);
    }
    if (view.isEmpty()) {
      Http.error(ctx, 404, "not-found", "no revocation request " + requestId);
      return;
    }
    Http.json(ctx, 200, withPlannerProgress(view.get(), requestId));
  }

  /**
   * A request without ledger entries is {@code done} once the planner committed past it and the ledger was read
   * to its end: its plan was empty (nothing at or downstream of the target has an action).
   */
  private Ledger.RequestView withPlannerProgress(Ledger.RequestView view, String requestId) {
    if (!"requested".equals(view.status())) {
      return view;
    }
    Optional<Ledger.RequestPosition> at = ledger.position(requestId);
    try {
      if (at.isPresent() && offsets.committed(plannerGroup, at.get().partition()) > at.get().offset()) {
        // The planner acknowledged the plan's ledger entries before it committed: read them before deciding
        // that the plan was empty, or a request with actions would show "done" with none for a moment.
        ledgerView.awaitEnd(LEDGER_CATCH_UP);
        Ledger.RequestView caughtUp = ledger.view(requestId).orElse(view);
        return "requested".equals(caughtUp.status()) ? caughtUp.withStatus("done") : caughtUp;
      }
    } catch (RevokerException e) {
      LOG.debug("planner progress unknown: {}", e.getMessage());
    }
    return view;
  }

  /** Releases the request's broad actions that await approval; the approver role only. */
  void approve(Context ctx) {
    if (!Http.authorized(ctx, access, Role.APPROVER)) {
      return;
    }
    String requestId = ctx.pathParam("requestId");
    String approver = "user:" + Http.callerFingerprint(ctx);
    Approvals.Result result;
    try {
      result = approvals.approve(requestId, approver);
    } catch (RevokerException e) {
      LOG.warn("approval of {} not recorded: {}", requestId, e.getMessage());
      ctx.header("Retry-After", "5");
      Http.error(ctx, 503, "kafka-unavailable", "the approval was not recorded: " + e.getMessage());
      return;
    }
    if (result instanceof Approvals.Result.NotFound) {
      Http.error(ctx, 404, "not-found", "no revocation request " + requestId);
    } else if (result instanceof Approvals.Result.NothingToApprove n) {
      Http.error(ctx, 409, "nothing-to-approve", "request " + requestId + " has no action awaiting approval (status "
          + n.status() + ")");
    } else if (result instanceof Approvals.Result.Approved a) {
      LOG.info("revocation {}: {} actions approved by {}", requestId, a.actionIds().size(), approver);
      Http.json(ctx, 200, Map.of("requestId", requestId, "approved", a.actionIds(), "approvedBy", a.approvedBy(),
          "approvedAt", a.approvedAt().toString()));
    }
  }

  /** The Kubernetes authorization webhook. */
  void authorize(Context ctx) {
    if (!Http.authorized(ctx, access, Role.AUTHZ)) {
      return;
    }
    String cluster = ctx.pathParam("cluster");
    AuthorizationWebhook.Review review;
    try {
      JsonNode sar = Json.mapper().readTree(ctx.bodyAsBytes());
      review = webhook.review(cluster, sar);
    } catch (JsonProcessingException e) {
      Http.error(ctx, 400, "malformed-json", "body is not JSON: " + e.getOriginalMessage());
      return;
    } catch (IOException | IllegalArgumentException e) {
      Http.error(ctx, 400, "invalid-request", e.getMessage());
      return;
    }
    metrics.review((review.denied() ? "denied" : "no-opinion") + (review.behind() ? "-behind" : ""));
    if (review.denied()) {
      LOG.info("denied a request of cluster {}: {}", cluster, review.response().path("status").path("reason").asText());
    }
    Http.json(ctx, 200, review.response());
  }
}
