package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.cli.client.Table;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code killswitch identities show <ref>}: one node of the access graph (analyst role). */
@Command(name = "identities", mixinStandardHelpOptions = true,
    description = "Identities: what one node is, what minted it, what it reached, and its revocation state.",
    subcommands = {IdentitiesCommand.Show.class})
final class IdentitiesCommand {

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"One identity: kind, chains, inbound edges (what minted it), outbound edges (what it reached), revocations.",
          "Exit 4 when nothing is known about it."})
  static final class Show extends ApiCommand {
    @Parameters(paramLabel = "REF", description = "identity reference, e.g. k8s:prod:token/<jti>")
    String ref;

    @Override
    public Integer call() {
      JsonNode id = api().getJson("/v1/identities/" + ApiClient.pathOf(ref));
      if (client.json()) {
        printJson(id);
        return Killswitch.EXIT_OK;
      }
      PrintWriter out = out();
      out.printf("Identity    %s%n", text(id, "ref"));
      out.printf("Kind        %s%n", text(id, "kind"));
      out.printf("Seen        %s .. %s%n", text(id, "firstSeen"), text(id, "lastSeen"));
      out.printf("Revocation  %s%n", text(id, "revocation"));
      out.println();
      Table chains = new Table("CHAIN", "ROOT");
      id.path("chains").forEach(c -> chains.row(text(c, "chainId"), text(c, "root")));
      if (chains.isEmpty()) {
        out.println("In no chain.");
      } else {
        chains.print(out);
      }
      out.println();
      out.println("Inbound (what minted or reached it):");
      ChainsCommand.printEdges(out, id.path("inbound"));
      out.println();
      out.println("Outbound (what it reached):");
      ChainsCommand.printEdges(out, id.path("outbound"));
      JsonNode results = id.path("revocations");
      if (results.size() > 0) {
        out.println();
        Table r = new Table("REQUEST", "ACTION", "OUTCOME", "RECORDED", "DETAIL");
        for (JsonNode m : results) {
          r.row(text(m, "requestId"), text(m, "action"), text(m, "outcome"), text(m, "recordedAt"), text(m, "detail"));
        }
        r.print(out);
      }
      out.flush();
      return Killswitch.EXIT_OK;
    }
  }
}
