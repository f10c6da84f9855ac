package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.cli.client.Table;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code killswitch revocations show|approve}: a revocation request, its actions and each outcome. */
@Command(name = "revocations", mixinStandardHelpOptions = true,
    description = "Revocation requests: what was planned and how each action ended.",
    subcommands = {RevocationsCommand.Show.class, RevocationsCommand.Approve.class})
final class RevocationsCommand {

  /** Statuses after which nothing changes without someone acting. */
  static final Set<String> SETTLED = Set.of("done", "failed", "rejected", "pending-approval");
  /** How long an empty {@code done} must stay so before waiting ends (see {@link #waitSettled}). */
  static final Duration EMPTY_PLAN_CONFIRMATION = Duration.ofSeconds(2);

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Show a revocation request: target, mode, status, and every planned action with its outcome.",
          "Exit 0 when shown (1 when the request failed or was rejected); with --wait, 0 only once it is done."})
  static final class Show extends ApiCommand {
    @Parameters(paramLabel = "REQUEST_ID", description = "the requestId that revoke or POST /v1/revocations answered")
    String requestId;

    @Option(names = "--wait", description = "wait until every action has ended (or awaits approval)")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
        description = "how long --wait waits, e.g. 30s, 2m (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() {
      ApiClient api = api();
      JsonNode view = await ? waitSettled(api, requestId, Durations.parse(timeout, "--timeout"))
          : api.getJson("/v1/revocations/" + ApiClient.query(requestId));
      print(this, view);
      return exitCode(view, await);
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = "Approve the broad actions of a request that await approval (needs the approver role).")
  static final class Approve extends ApiCommand {
    @Parameters(paramLabel = "REQUEST_ID")
    String requestId;

    @Override
    public Integer call() {
      JsonNode answer = api().postJson("/v1/revocations/" + ApiClient.query(requestId) + "/approve", java.util.Map.of());
      if (client.json()) {
        printJson(answer);
      } else {
        out().printf("approved %d action(s) of %s as %s%n", answer.path("approved").size(), requestId,
            text(answer, "approvedBy"));
        out().flush();
      }
      return Killswitch.EXIT_OK;
    }
  }

  /**
   * Polls the request until it settled or the timeout passed; answers the last view. A {@code done} without any
   * action is confirmed for {@link #EMPTY_PLAN_CONFIRMATION} first: the revoker may report an empty plan from the
   * planner's committed offset a moment before its ledger view shows the actions that plan wrote.
   */
  static JsonNode waitSettled(ApiClient api, String requestId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long emptySince = -1;
    JsonNode view = null;
    while (true) {
      try {
        view = api.getJson("/v1/revocations/" + ApiClient.query(requestId));
        String status = view.path("status").asText();
        boolean emptyDone = status.equals("done") && view.path("actions").isEmpty();
        if (SETTLED.contains(status) && !emptyDone) {
          return view;
        }
        if (emptyDone) {
          emptySince = emptySince < 0 ? System.nanoTime() : emptySince;
          if (System.nanoTime() - emptySince >= EMPTY_PLAN_CONFIRMATION.toNanos()) {
            return view;
          }
        } else {
          emptySince = -1;
        }
      } catch (CliException e) {
        // Just requested: the ledger may not know it yet; give up only at the deadline.
        if (e.reason() != CliException.Reason.NOT_FOUND || System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        return view;
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CliException.failed("interrupted while waiting for " + requestId);
      }
    }
  }

  /** 1 when the request failed or was rejected, or (waiting) did not get done; else 0. */
  static int exitCode(JsonNode view, boolean waited) {
    String status = view.path("status").asText();
    if (status.equals("failed") || status.equals("rejected")) {
      return Killswitch.EXIT_FAILED;
    }
    return waited && !status.equals("done") ? Killswitch.EXIT_FAILED : Killswitch.EXIT_OK;
  }

  /** Prints the ledger view as tables (or JSON with -o json). */
  static void print(ApiCommand cmd, JsonNode view) {
    if (cmd.client.json()) {
      cmd.printJson(view);
      return;
    }
    printView(cmd.out(), view);
  }

  /** The ledger view as people read it: the request, then its actions. */
  static void printView(PrintWriter out, JsonNode view) {
    JsonNode r = view.path("request");
    out.printf("Request     %s%n", ApiCommand.text(r, "requestId"));
    out.printf("Target      %s%n", ApiCommand.text(r, "target"));
    out.printf("Mode        %s, cascade %s%s%n", ApiCommand.text(r, "mode"), ApiCommand.text(r, "cascade"),
        r.hasNonNull("expiresAt") ? ", until " + r.path("expiresAt").asText() : "");
    out.printf("Reason      %s%n", ApiCommand.text(r, "reason"));
    out.printf("Requested   by %s at %s%n", ApiCommand.text(r, "requestedBy"), ApiCommand.text(r, "requestedAt"));
    out.printf("Status      %s%n", describe(view.path("status").asText()));
    out.println();
    Table t = new Table("ACTION", "TARGET", "OUTCOME", "ATTEMPTS", "DETAIL");
    for (JsonNode a : view.path("actions")) {
      t.row(ApiCommand.text(a, "action"), ApiCommand.text(a, "target"), ApiCommand.text(a, "outcome"),
          a.path("attempts").asInt(), ApiCommand.text(a, "detail"));
    }
    if (t.isEmpty()) {
      if (view.path("status").asText().equals("done")) {
        // A run's request planned before a late credential joined its chain lands here; that credential was
        // covered by a request of its own, which this view does not show.
        out.println("No action: when this request was planned, nothing at or downstream of the target was left to "
            + "revoke.");
        out.println("A credential that joins the chain later gets a request of its own; see every node's state with");
        out.println("  killswitch chains find " + ApiCommand.text(r, "target"));
      } else {
        out.println("No action planned yet.");
      }
    } else {
      t.print(out);
    }
    out.flush();
  }

  private static String describe(String status) {
    return switch (status) {
      case "requested" -> "requested (not planned yet)";
      case "planned" -> "planned (nothing executed yet)";
      case "pending-approval" -> "pending-approval (a broad action awaits: killswitch revocations approve <id>)";
      default -> status;
    };
  }
}
