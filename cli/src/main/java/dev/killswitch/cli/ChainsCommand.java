package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.cli.client.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code killswitch chains show|find}: the correlated access chains (analyst role). */
@Command(name = "chains", mixinStandardHelpOptions = true,
    description = "Access chains: everything reachable from a root (a CI run) and how it was linked.",
    subcommands = {ChainsCommand.Show.class, ChainsCommand.Find.class})
final class ChainsCommand {

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One chain: its nodes with their revocation state, its edges with confidence and evidence.")
  static final class Show extends ApiCommand {
    @Parameters(paramLabel = "CHAIN_ID", description = "a chain id (32 hex digits), as chains find prints it")
    String chainId;

    @Override
    public Integer call() {
      JsonNode chain = api().getJson("/v1/chains/" + ApiClient.query(chainId));
      if (client.json()) {
        printJson(chain);
      } else {
        printChain(out(), chain);
      }
      return Killswitch.EXIT_OK;
    }
  }

  @Command(name = "find", mixinStandardHelpOptions = true,
      description = {"The chains that contain an identity: where a leaked credential came from and what it reached.",
          "Exit 4 when no chain contains it."})
  static final class Find extends ApiCommand {
    @Parameters(paramLabel = "REF", description = "identity reference, e.g. k8s:prod:token/<jti>")
    String ref;

    @Override
    public Integer call() {
      JsonNode answer = api().getJson("/v1/chains?node=" + ApiClient.query(ref));
      JsonNode chains = answer.path("chains");
      if (client.json()) {
        printJson(answer);
      } else if (chains.size() > 0) {
        Table t = new Table("CHAIN", "ROOT", "STATUS", "NODES", "THIS NODE", "UPDATED");
        for (JsonNode c : chains) {
          t.row(text(c, "chainId"), text(c, "root"), text(c, "status"), c.path("nodes").size(), revocationOf(c, ref),
              text(c, "updatedAt"));
        }
        t.print(out());
        if (chains.size() == 1) {
          out().println();
          printChain(out(), chains.get(0));
        }
      }
      if (chains.size() == 0) {
        err().println("killswitch: no chain contains " + ref);
        err().flush();
        return Killswitch.EXIT_NOT_FOUND;
      }
      return Killswitch.EXIT_OK;
    }
  }

  private static String revocationOf(JsonNode chain, String ref) {
    for (JsonNode n : chain.path("nodes")) {
      if (ref.equals(n.path("ref").asText())) {
        return "revocation: " + n.path("revocation").asText("none");
      }
    }
    return "-";
  }

  static void printChain(PrintWriter out, JsonNode c) {
    out.printf("Chain       %s%n", ApiCommand.text(c, "chainId"));
    out.printf("Root        %s%n", ApiCommand.text(c, "root"));
    out.printf("Status      %s%n", ApiCommand.text(c, "status"));
    out.printf("Updated     %s%n", ApiCommand.text(c, "updatedAt"));
    out.println();
    Table nodes = new Table("NODE", "KIND", "REVOCATION", "FIRST SEEN", "LAST SEEN");
    for (JsonNode n : c.path("nodes")) {
      nodes.row(ApiCommand.text(n, "ref"), ApiCommand.text(n, "kind"), ApiCommand.text(n, "revocation"),
          ApiCommand.text(n, "firstSeen"), ApiCommand.text(n, "lastSeen"));
      // What the reference cannot hold (an AWS session's role, role id, session name, expiry), one per line.
      n.path("attributes").fields().forEachRemaining(a -> nodes.detail(a.getKey() + "=" + a.getValue().asText()));
    }
    nodes.print(out);
    out.println();
    printEdges(out, c.path("edges"));
    JsonNode fired = c.path("triggers");
    if (fired.size() > 0) {
      out.println();
      Table f = new Table("TRIGGER", "TARGET", "AT", "REQUEST", "ALERT");
      for (JsonNode x : fired) {
        f.row(ApiCommand.text(x, "trigger"), ApiCommand.text(x, "target"), ApiCommand.text(x, "at"),
            ApiCommand.text(x, "requestId"), ApiCommand.text(x, "alertId"));
      }
      f.print(out);
    }
    JsonNode requested = c.path("revocations");
    if (requested.size() > 0) {
      out.println();
      Table r = new Table("REQUESTED REVOCATION", "TARGET", "BY", "STATE");
      for (JsonNode q : requested) {
        r.row(ApiCommand.text(q, "requestId"), ApiCommand.text(q, "target"), ApiCommand.text(q, "requestedBy"),
            ApiCommand.text(q, "revocation"));
      }
      r.print(out);
    }
    out.flush();
  }

  static void printEdges(PrintWriter out, JsonNode edges) {
    Table t = new Table("FROM", "EDGE", "TO", "CONFIDENCE", "BASIS", "COUNT", "EVIDENCE");
    for (JsonNode e : edges) {
      JsonNode ev = e.path("evidence");
      String evidence = ev.size() == 0 ? "-" : ev.get(0).asText() + (ev.size() > 1 ? " (+" + (ev.size() - 1) + ")" : "");
      List<String> basis = new ArrayList<>();
      e.path("basis").forEach(b -> basis.add(b.asText()));
      t.row(ApiCommand.text(e, "from"), "-" + ApiCommand.text(e, "kind") + "->", ApiCommand.text(e, "to"),
          String.format(java.util.Locale.ROOT, "%.2f", e.path("confidence").asDouble()),
          basis.isEmpty() ? "-" : String.join(",", basis), e.path("count").asLong(), evidence);
    }
    if (t.isEmpty()) {
      out.println("No edges.");
    } else {
      t.print(out);
    }
  }
}
