package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.cli.client.Printable;
import dev.killswitch.schemas.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A verb that talks to a running Killswitch over its HTTP API. */
abstract class ApiCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  /** The environment the verbs read (the process environment, or what a test handed to the command line). */
  Map<String, String> env() {
    return ((Killswitch) spec.root().userObject()).env();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  ApiClient api() {
    return new ApiClient(client.baseUrl(env()), client.apiToken(env()), Duration.ofSeconds(30));
  }

  void printJson(JsonNode node) {
    try {
      out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
      out().flush();
    } catch (java.io.IOException e) {
      throw CliException.failed("cannot print JSON: " + e.getMessage());
    }
  }

  /** A value for a table cell: text, or "-" for missing. */
  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? "-" : Printable.of(v.asText());
  }
}
