package dev.killswitch.cli;

import dev.killswitch.ingest.GcpPushAuth;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the bearer ingest paths authenticate beyond the one ingest token ({@code KILLSWITCH_INGEST_TOKEN}, the default
 * of every source):
 * <ul>
 *   <li>a token of its own per source, {@code KILLSWITCH_INGEST_TOKEN_K8S_AUDIT}, {@code _AWS_CLOUDTRAIL},
 *       {@code _GCP_AUDIT}, {@code _CLOUDEVENTS} (YAML {@code killswitch.ingest.token.k8s-audit}, ...): it admits
 *       only that source, and the ingest token no longer admits that source;</li>
 *   <li>Pub/Sub push OIDC tokens on the GCP audit path, {@code KILLSWITCH_GCP_PUSH_AUDIENCE},
 *       {@code KILLSWITCH_GCP_PUSH_SERVICE_ACCOUNTS} (comma-separated), {@code KILLSWITCH_GCP_PUSH_JWKS_URL} (default
 *       Google's) or {@code KILLSWITCH_GCP_PUSH_JWKS_FILE};</li>
 *   <li>TLS client certificates on the Kubernetes audit path, {@code KILLSWITCH_K8S_AUDIT_CLIENT_NAMES}
 *       (comma-separated subject CNs or SANs; needs {@code KILLSWITCH_HTTP_CLIENT_CA}).</li>
 * </ul>
 *
 * @param sourceTokens ingest source ({@link #SOURCES}) to its own token
 * @param gcpPush null when push tokens are not verified
 * @param k8sAuditClients empty when no client certificate is admitted
 */
public record IngestAuth(Map<String, String> sourceTokens, GcpPushAuth gcpPush, Set<String> k8sAuditClients) {

  /** The ingest sources authenticated by bearer tokens, as ingest and its metrics name them. */
  public static final List<String> SOURCES = List.of("k8s-audit", "aws-cloudtrail", "gcp-audit", "cloudevents");

  public static final IngestAuth NONE = new IngestAuth(Map.of(), null, Set.of());

  public IngestAuth {
    sourceTokens = Map.copyOf(sourceTokens);
    k8sAuditClients = Set.copyOf(k8sAuditClients);
  }

  /** {@code KILLSWITCH_INGEST_TOKEN_K8S_AUDIT} for {@code k8s-audit}. */
  public static String tokenEnv(String source) {
    return "KILLSWITCH_INGEST_TOKEN_" + source.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** From the flattened settings ({@code killswitch.ingest.token.k8s.audit}, ...); problems are added to {@code problems}. */
  static IngestAuth from(Map<String, String> values, HttpTls tls, List<String> problems) {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String source : SOURCES) {
      String v = blank(values.get(key(tokenEnv(source))));
      if (v != null) {
        if (v.length() < 16) {
          problems.add(tokenEnv(source) + " must be at least 16 characters (got " + v.length() + ")");
        }
        tokens.put(source, v);
      }
    }
    Set<String> clients = list(values.get("killswitch.k8s.audit.client.names"));
    if (!clients.isEmpty() && (tls == null || !tls.mutual())) {
      problems.add("KILLSWITCH_K8S_AUDIT_CLIENT_NAMES needs mutual TLS: set KILLSWITCH_HTTP_TLS_CERT, "
          + "KILLSWITCH_HTTP_TLS_KEY and KILLSWITCH_HTTP_CLIENT_CA");
    }
    return new IngestAuth(tokens, gcpPush(values, problems), clients);
  }

  private static GcpPushAuth gcpPush(Map<String, String> values, List<String> problems) {
    String audience = blank(values.get("killswitch.gcp.push.audience"));
    Set<String> accounts = list(values.get("killswitch.gcp.push.service.accounts"));
    String url = blank(values.get("killswitch.gcp.push.jwks.url"));
    String file = blank(values.get("killswitch.gcp.push.jwks.file"));
    if (audience == null && accounts.isEmpty()) {
      if (url != null || file != null) {
        problems.add("KILLSWITCH_GCP_PUSH_JWKS_* needs KILLSWITCH_GCP_PUSH_AUDIENCE and KILLSWITCH_GCP_PUSH_SERVICE_ACCOUNTS");
      }
      return null;
    }
    int before = problems.size();
    if (audience == null || accounts.isEmpty()) {
      problems.add("KILLSWITCH_GCP_PUSH_AUDIENCE and KILLSWITCH_GCP_PUSH_SERVICE_ACCOUNTS go together (the push "
          + "subscription's token audience and its push service account)");
    }
    if (url != null && file != null) {
      problems.add("KILLSWITCH_GCP_PUSH_JWKS_URL and KILLSWITCH_GCP_PUSH_JWKS_FILE exclude each other");
    }
    if (file != null && !Files.isReadable(Path.of(file))) {
      problems.add("KILLSWITCH_GCP_PUSH_JWKS_FILE " + file + " is not a readable file");
    }
    URI jwksUrl = null;
    if (file == null) {
      try {
        jwksUrl = url == null ? GcpPushAuth.GOOGLE_JWKS : new URI(url);
        if (!"https".equals(jwksUrl.getScheme()) && !"http".equals(jwksUrl.getScheme())) {
          problems.add("KILLSWITCH_GCP_PUSH_JWKS_URL must be an https (or http) URL, got " + url);
        }
      } catch (URISyntaxException e) {
        problems.add("KILLSWITCH_GCP_PUSH_JWKS_URL is not a URL: " + e.getMessage());
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new GcpPushAuth(audience, accounts, jwksUrl, file == null ? null : Path.of(file));
  }

  /** A comma-separated value, or a YAML list (flattened to {@code [a, b]}). */
  private static Set<String> list(String value) {
    String v = blank(value);
    if (v == null) {
      return Set.of();
    }
    if (v.startsWith("[") && v.endsWith("]")) {
      v = v.substring(1, v.length() - 1);
    }
    Set<String> out = new LinkedHashSet<>();
    Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  private static String key(String env) {
    return env.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** For {@code config check}: which sources have a token of their own, push verification, client names. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    parts.add(sourceTokens.isEmpty() ? "the ingest token for every bearer source"
        : "own token for " + String.join(", ", new java.util.TreeSet<>(sourceTokens.keySet())));
    if (gcpPush != null) {
      parts.add("Pub/Sub push tokens verified (audience " + gcpPush.audience() + ", accounts "
          + String.join(", ", new java.util.TreeSet<>(gcpPush.serviceAccounts())) + ")");
    }
    if (!k8sAuditClients.isEmpty()) {
      parts.add("apiserver client certificates " + String.join(", ", new java.util.TreeSet<>(k8sAuditClients)));
    }
    return String.join("; ", parts);
  }

  /** Never a token value. */
  @Override
  public String toString() {
    return "IngestAuth[sourceTokens=" + sourceTokens.keySet() + ", gcpPush=" + gcpPush + ", k8sAuditClients="
        + k8sAuditClients + "]";
  }
}
