package dev.killswitch.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.CliException;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's side of the HTTP API: one base URL, one bearer token, and the mapping of every answer to the exit
 * codes of docs/cli.md (401/403 unauthorized, 404 not found, 400 usage, 503 or no connection unreachable).
 */
public final class ApiClient {

  /** One HTTP answer; {@code json} is null when the body is not JSON. */
  public record Answer(int status, String body, JsonNode json, Optional<String> retryAfter) {
    /** The {@code message} (else {@code error}) of a Killswitch error answer, else the body. */
    public String problem() {
      if (json != null && json.hasNonNull("message")) {
        return json.path("message").asText();
      }
      if (json != null && json.hasNonNull("error")) {
        return json.path("error").asText();
      }
      return body == null || body.isBlank() ? "HTTP " + status : body.strip();
    }
  }

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  public ApiClient(URI base, String token, Duration timeout) {
    this.base = URI.create(base.toString().replaceAll("/+$", ""));
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public URI base() {
    return base;
  }

  /** GET a JSON answer; any status but 200 becomes the matching {@link CliException}. */
  public JsonNode getJson(String pathAndQuery) {
    Answer a = send("GET", pathAndQuery, Map.of(), null, token);
    if (a.status() != 200) {
      throw errorFor(a, "GET " + pathAndQuery);
    }
    return requireJson(a);
  }

  /** POST a JSON body with the API token; 200-299 is returned, anything else becomes a {@link CliException}. */
  public JsonNode postJson(String path, Object body) {
    byte[] bytes;
    try {
      bytes = Json.mapper().writeValueAsBytes(body);
    } catch (IOException e) {
      throw CliException.failed("cannot encode the request: " + e.getMessage());
    }
    Answer a = send("POST", path, Map.of("Content-Type", "application/json"), bytes, token);
    if (a.status() / 100 != 2) {
      throw errorFor(a, "POST " + path);
    }
    return requireJson(a);
  }

  /**
   * Sends a request as given ({@code bearer} may be null: then no Authorization header is sent) and returns the
   * answer whatever its status; only a connection failure is turned into an exception (unreachable).
   */
  public Answer send(String method, String pathAndQuery, Map<String, String> headers, byte[] body, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw unreachable(e);
    } catch (HttpTimeoutException e) {
      throw CliException.unreachable("Killswitch at " + base + " did not answer within " + timeout.toSeconds() + " s", e);
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
    JsonNode json = null;
    String contentType = r.headers().firstValue("Content-Type").orElse("");
    if (contentType.contains("json") && !r.body().isBlank()) {
      try {
        json = Json.mapper().readTree(r.body());
      } catch (IOException e) {
        json = null;
      }
    }
    return new Answer(r.statusCode(), r.body(), json, r.headers().firstValue("Retry-After"));
  }

  private CliException unreachable(Exception e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return CliException.unreachable("Killswitch is not reachable at " + base + " (" + why + "); is it running? "
        + "(killswitch run, or --url)", e);
  }

  /** The exception (and so the exit code) for an answer that is not what the verb wanted. */
  public static CliException errorFor(Answer a, String what) {
    String problem = a.problem();
    return switch (a.status()) {
      case 401 -> CliException.unauthorized("unauthorized: " + problem
          + " (set KILLSWITCH_API_TOKEN, or run where the data directory's secrets/api-token is)");
      case 403 -> CliException.unauthorized("forbidden: " + problem);
      case 404 -> CliException.notFound(problem);
      case 400, 405, 413, 415, 422 -> CliException.usage(problem);
      case 503 -> CliException.unreachable("Killswitch is not available right now: " + problem
          + a.retryAfter().map(s -> " (retry after " + s + " s)").orElse(""), null);
      default -> CliException.failed(what + " answered " + a.status() + ": " + problem);
    };
  }

  private static JsonNode requireJson(Answer a) {
    if (a.json() == null) {
      throw CliException.failed("expected a JSON answer, got: " + abbreviate(a.body()));
    }
    return a.json();
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /** An identity reference as one path segment run: ':' and '/' stay, everything else unusual is escaped. */
  public static String pathOf(String ref) {
    return java.util.Arrays.stream(ref.split("/", -1))
        .map(part -> URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":")
            .replace("%40", "@"))
        .collect(java.util.stream.Collectors.joining("/"));
  }

  /** A query parameter value. */
  public static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
