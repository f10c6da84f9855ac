package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.cli.replay.Delivery;
import dev.killswitch.cli.replay.Progress;
import dev.killswitch.cli.replay.Recordings;
import dev.killswitch.cli.replay.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code killswitch replay <files...>}: sends recorded events to the ingest path each belongs to, recognized by
 * content, authenticated as its source would be (GitHub HMAC signature, GitLab token, the ingest bearer token).
 * Every file is read and recognized before anything is sent: one file of an unknown kind sends nothing (exit 2).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Send recorded events (GitHub, GitLab, Kubernetes audit, CloudTrail, GCP audit, CloudEvents) to ingest.",
        "The kind of each file is recognized from its content; directories are read in name order.",
        "Exit 0 when every event was accepted (or was a duplicate, or ignored), 1 when some were rejected."})
final class ReplayCommand extends ApiCommand {

  enum ProgressMode { auto, always, never }

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "recordings, or directories of them")
  List<Path> files;

  @Option(names = "--cluster", paramLabel = "NAME",
      description = "the cluster Kubernetes audit events come from (the {cluster} of /v1/ingest/k8s-audit/{cluster})")
  String cluster;

  @Option(names = "--progress", paramLabel = "auto|always|never", defaultValue = "auto",
      description = "progress bar on stderr: auto (only when stderr is a terminal), always, never")
  ProgressMode progress;

  private final Map<Source, String> credentials = new EnumMap<>(Source.class);

  @Override
  public Integer call() throws IOException {
    List<Delivery> deliveries = readAll();
    long total = deliveries.stream().mapToLong(Delivery::events).sum();
    ApiClient api = new ApiClient(client.baseUrl(env()), null, Duration.ofSeconds(60));
    boolean bar = progress == ProgressMode.always
        || (progress == ProgressMode.auto && ((Killswitch) spec.root().userObject()).stderrIsTerminal());
    Progress p = new Progress(err(), total, bar, System::nanoTime);
    Tally tally = new Tally();
    long t0 = System.nanoTime();
    try {
      for (Delivery d : deliveries) {
        tally.add(d, send(api, d));
        p.advance(d.events());
      }
    } catch (CliException e) {
      p.finish();
      summary(tally, deliveries, System.nanoTime() - t0);
      throw e;
    }
    p.finish();
    summary(tally, deliveries, System.nanoTime() - t0);
    return tally.rejected > 0 ? Killswitch.EXIT_FAILED : Killswitch.EXIT_OK;
  }

  /** Every file read and recognized, or a usage error naming each one that is not. */
  private List<Delivery> readAll() throws IOException {
    List<Path> expanded = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      if (Files.isDirectory(f)) {
        try (Stream<Path> s = Files.walk(f)) {
          s.filter(Files::isRegularFile).filter(x -> !x.getFileName().toString().startsWith(".")
              && !x.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md")).sorted().forEach(expanded::add);
        }
      } else if (Files.isRegularFile(f)) {
        expanded.add(f);
      } else {
        problems.add(f + ": no such file");
      }
    }
    List<Delivery> out = new ArrayList<>();
    for (Path f : expanded) {
      try {
        out.addAll(Recordings.read(f, cluster));
      } catch (Recordings.Unrecognized e) {
        problems.add(f + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw CliException.usage("nothing was sent; cannot replay:\n  " + String.join("\n  ", problems));
    }
    if (out.isEmpty()) {
      throw CliException.usage("no recordings in " + files);
    }
    return out;
  }

  /** Sends one delivery with its source's credentials; 503 is retried a few times, as the server asks. */
  private ApiClient.Answer send(ApiClient api, Delivery d) {
    Map<String, String> headers = new LinkedHashMap<>(d.headers());
    String bearer = null;
    switch (d.source()) {
      case GITHUB -> headers.put("X-Hub-Signature-256", "sha256=" + hmac(credential(Source.GITHUB), d.body()));
      case GITLAB -> headers.put("X-Gitlab-Token", credential(Source.GITLAB));
      default -> bearer = credential(d.source());
    }
    String path = d.source().path().replace("{cluster}", cluster == null ? "" : ApiClient.query(cluster));
    for (int attempt = 1; ; attempt++) {
      ApiClient.Answer a = api.send("POST", path, headers, d.body(), bearer);
      if (a.status() == 401 || a.status() == 403) {
        throw CliException.unauthorized("ingest refused " + d.file() + " (" + d.source().description() + "): "
            + a.problem() + "; are these the credentials of the Killswitch at " + api.base() + "?");
      }
      if (a.status() != 503 || attempt == 3) {
        if (a.status() == 503) {
          throw ApiClient.errorFor(a, "POST " + path);
        }
        return a;
      }
      long wait = a.retryAfter().map(s -> {
        try {
          return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          return 1L;
        }
      }).orElse(1L);
      try {
        Thread.sleep(Math.min(5, Math.max(1, wait)) * 1000L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CliException.failed("interrupted");
      }
    }
  }

  private String credential(Source source) {
    return credentials.computeIfAbsent(source, s -> {
      String value;
      String hint;
      switch (s) {
        case GITHUB -> {
          value = client.secret(env(), Secret.GITHUB_SECRET);
          hint = "the GitHub webhook secret (KILLSWITCH_GITHUB_SECRET or <data dir>/secrets/github-secret)";
        }
        case GITLAB -> {
          value = client.secret(env(), Secret.GITLAB_TOKEN);
          hint = "the GitLab webhook token (KILLSWITCH_GITLAB_TOKEN or <data dir>/secrets/gitlab-token)";
        }
        default -> {
          value = client.tokenFile != null ? readFile(client.tokenFile) : client.secret(env(), Secret.INGEST_TOKEN);
          hint = "the ingest token (--token-file, KILLSWITCH_INGEST_TOKEN or <data dir>/secrets/ingest-token)";
        }
      }
      if (value == null) {
        throw CliException.unauthorized("cannot send " + s.description() + ": no " + hint + " found");
      }
      return value;
    });
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw CliException.usage("--token-file: cannot read " + file + ": " + e.getMessage());
    }
  }

  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
    }
  }

  private void summary(Tally t, List<Delivery> deliveries, long nanos) {
    long files = deliveries.stream().map(Delivery::file).distinct().count();
    double seconds = nanos / 1e9;
    for (String problem : t.problems) {
      err().println("rejected: " + problem);
    }
    err().flush();
    if (client.json()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("files", files).put("requests", t.requests).put("events", t.events).put("accepted", t.accepted)
          .put("duplicates", t.duplicates).put("ignored", t.ignored).put("rejected", t.rejected)
          .put("seconds", Math.round(seconds * 1000) / 1000.0);
      o.putArray("problems").addAll(t.problems.stream().map(JsonNodeFactory.instance::textNode).toList());
      printJson(o);
    } else {
      out().printf(Locale.ROOT, "replayed %d events from %d file(s) in %d request(s), %.1f s (%.1f events/s): "
              + "%d accepted, %d duplicate, %d ignored, %d rejected%n", t.events, files, t.requests, seconds,
          seconds > 0 ? t.events / seconds : 0.0, t.accepted, t.duplicates, t.ignored, t.rejected);
      out().flush();
    }
  }

  /** What ingest answered, added up. */
  private static final class Tally {
    long requests;
    long events;
    long accepted;
    long duplicates;
    long ignored;
    long rejected;
    final List<String> problems = new ArrayList<>();

    void add(Delivery d, ApiClient.Answer a) {
      requests++;
      events += d.events();
      String where = d.file() + (d.part() > 0 ? " (part " + (d.part() + 1) + ")" : "");
      JsonNode j = a.json() == null ? JsonNodeFactory.instance.objectNode() : a.json();
      if (a.status() / 100 == 2) {
        if (j.path("duplicate").asBoolean(false)) {
          duplicates += d.events();
        } else if (j.has("ignored") || j.path("ok").asBoolean(false)) {
          ignored += d.events();
        } else {
          accepted += j.path("accepted").asLong(0);
          ignored += j.path("dropped").asLong(0);
          duplicates += j.path("deduplicated").asLong(0);
          for (JsonNode r : j.path("rejected")) {
            rejected++;
            problems.add(where + " #" + r.path("index").asInt() + ": " + r.path("error").asText() + ": "
                + r.path("message").asText());
          }
        }
      } else {
        long n = j.path("rejected").isArray() && j.path("rejected").size() > 0 ? j.path("rejected").size() : d.events();
        rejected += n;
        problems.add(where + ": " + a.status() + " " + j.path("error").asText("") + ": " + a.problem());
      }
    }
  }
}
