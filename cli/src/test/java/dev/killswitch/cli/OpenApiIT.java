package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/openapi.json} describes exactly the server: its paths and methods are the routes Javalin registered
 * (both ways: nothing undocumented, nothing documented that does not exist), every reference resolves, and every
 * operation says how it is authenticated and what it answers.
 */
class OpenApiIT {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @TempDir Path dataDir;

  @Test
  void theDocumentDescribesExactlyTheRoutesTheServerHas() throws Exception {
    Map<String, String> env = Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0");
    try (Application app = Application.start(Settings.load(null, env), EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("served without a token").isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      JsonNode doc = Json.mapper().readTree(r.body());
      assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");

      TreeSet<String> documented = new TreeSet<>();
      doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(m -> {
        if (METHODS.contains(m)) {
          documented.add(m.toUpperCase() + " " + path.getKey());
        }
      }));
      TreeSet<String> registered = new TreeSet<>(app.httpRoutes());
      assertThat(registered).as("routes the server has").contains("GET /v1/chains", "POST /v1/revocations",
          "GET /v1/openapi.json", "GET /");

      TreeSet<String> undocumented = new TreeSet<>(registered);
      undocumented.removeAll(documented);
      TreeSet<String> phantom = new TreeSet<>(documented);
      phantom.removeAll(registered);
      assertThat(undocumented).as("routes missing from openapi.json").isEmpty();
      assertThat(phantom).as("operations in openapi.json that the server does not have").isEmpty();
    }
  }

  @Test
  void everyReferenceResolvesAndEveryOperationHasSecurityAndAnswers() throws Exception {
    JsonNode doc;
    try (var in = OpenApiIT.class.getResourceAsStream("/openapi/openapi.json")) {
      doc = Json.mapper().readTree(in);
    }
    assertThat(doc.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText()).isEqualTo("bearer");
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as("$ref %s resolves", ref).isFalse();
    }
    doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      String name = op.getKey().toUpperCase() + " " + path.getKey();
      assertThat(op.getValue().has("security")).as("%s declares its security", name).isTrue();
      assertThat(op.getValue().path("responses").size()).as("%s declares its answers", name).isPositive();
      assertThat(op.getValue().path("operationId").asText()).as("%s has an operationId", name).isNotBlank();
      for (String param : pathParams(path.getKey())) {
        boolean declared = false;
        for (JsonNode p : op.getValue().path("parameters")) {
          declared |= p.path("in").asText().equals("path") && p.path("name").asText().equals(param);
        }
        assertThat(declared).as("%s declares path parameter %s", name, param).isTrue();
      }
    }));
  }

  private static List<String> pathParams(String path) {
    List<String> out = new ArrayList<>();
    var m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if (f.getKey().equals("$ref")) {
          out.add(f.getValue().asText());
        } else {
          collectRefs(f.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}
