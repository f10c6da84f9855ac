package dev.killswitch.schemas;

import dev.killswitch.schemas.IdentityRef.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Formats and parses the identity-reference grammar of DESIGN.md; {@link IdentityRef} is its only caller. */
final class IdentityRefGrammar {

  static final String CLUSTER_SCOPE = "_cluster";

  private static final Pattern WIF_POOL =
      Pattern.compile("projects/[^/]+/locations/[^/]+/workloadIdentityPools/[^/]+");

  private IdentityRefGrammar() {}

  static String format(IdentityRef ref) {
    Kind kind = ref.kind();
    StringBuilder out = new StringBuilder(64).append(kind.prefix()).append(ref.scope());
    switch (kind) {
      case GITHUB_RUN, GITHUB_JOB, GITLAB_PIPELINE, GITLAB_JOB ->
          out.append('/').append(kind.word()).append('/').append(ref.leaf());
      case CDEVENTS_RUN -> out.append('/').append(escapeSubject(ref.leaf()));
      case OIDC_SUBJECT, GCP_WIF_PRINCIPAL -> out.append('/').append(ref.leaf());
      default -> out.append(':').append(kind.word()).append('/').append(String.join("/", ref.parts()));
    }
    return out.toString();
  }

  static IdentityRef parse(String text) {
    if (text == null || text.isBlank()) {
      throw InvalidIdentityRefException.of("empty", text);
    }
    if (text.startsWith("ci:github:")) {
      String[] seg = text.substring("ci:github:".length()).split("/", -1);
      if (seg.length != 4) {
        throw InvalidIdentityRefException.of("expected ci:github:<owner>/<repo>/runs|jobs/<id>", text);
      }
      Kind kind = kindForWord(text, seg[2], Kind.GITHUB_RUN, Kind.GITHUB_JOB);
      return build(text, kind, seg[0] + "/" + seg[1], List.of(seg[3]));
    }
    if (text.startsWith("ci:gitlab:")) {
      String rest = text.substring("ci:gitlab:".length());
      int idSlash = rest.lastIndexOf('/');
      int wordSlash = idSlash <= 0 ? -1 : rest.lastIndexOf('/', idSlash - 1);
      if (wordSlash <= 0) {
        throw InvalidIdentityRefException.of("expected ci:gitlab:<host>/<project path>/pipelines|jobs/<id>", text);
      }
      Kind kind = kindForWord(text, rest.substring(wordSlash + 1, idSlash), Kind.GITLAB_PIPELINE, Kind.GITLAB_JOB);
      return build(text, kind, rest.substring(0, wordSlash), List.of(rest.substring(idSlash + 1)));
    }
    if (text.startsWith("ci:cdevents:")) {
      String rest = text.substring("ci:cdevents:".length());
      int slash = rest.lastIndexOf('/');
      if (slash <= 0) {
        throw InvalidIdentityRefException.of("expected ci:cdevents:<source>/<subject id>", text);
      }
      return build(text, Kind.CDEVENTS_RUN, rest.substring(0, slash), List.of(unescapeSubject(text, rest.substring(slash + 1))));
    }
    if (text.startsWith("oidc:")) {
      String rest = text.substring("oidc:".length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        throw InvalidIdentityRefException.of("expected oidc:<issuer host>/<sub>", text);
      }
      return build(text, Kind.OIDC_SUBJECT, rest.substring(0, slash), List.of(rest.substring(slash + 1)));
    }
    if (text.startsWith(Kind.GCP_WIF_PRINCIPAL.prefix())) {
      String rest = text.substring(Kind.GCP_WIF_PRINCIPAL.prefix().length());
      var m = WIF_POOL.matcher(rest);
      if (!m.lookingAt() || rest.length() <= m.end() + 1 || rest.charAt(m.end()) != '/') {
        throw InvalidIdentityRefException.of(
            "expected gcp:wif/projects/<n>/locations/<l>/workloadIdentityPools/<pool>/<subject>", text);
      }
      return build(text, Kind.GCP_WIF_PRINCIPAL, rest.substring(0, m.end()), List.of(rest.substring(m.end() + 1)));
    }
    for (String prefix : List.of("k8s:", "aws:", "gcp:")) {
      if (text.startsWith(prefix)) {
        return parseScoped(text, prefix);
      }
    }
    throw InvalidIdentityRefException.of(
        "unknown prefix; expected one of ci:github:, ci:gitlab:, ci:cdevents:, oidc:, k8s:, aws:, gcp:", text);
  }

  /** {@code <prefix><scope>:<word>/<part>[/<part>]} for Kubernetes, AWS and GCP nodes. */
  private static IdentityRef parseScoped(String text, String prefix) {
    String rest = text.substring(prefix.length());
    int colon = rest.indexOf(':');
    int slash = colon < 0 ? -1 : rest.indexOf('/', colon);
    if (colon <= 0 || slash < 0) {
      throw InvalidIdentityRefException.of("expected " + prefix + "<scope>:<kind>/<name>", text);
    }
    String scope = rest.substring(0, colon);
    String word = rest.substring(colon + 1, slash);
    String value = rest.substring(slash + 1);
    for (Kind kind : Kind.values()) {
      if (kind.prefix().equals(prefix) && word.equals(kind.word())) {
        List<String> parts = new ArrayList<>();
        if (kind.partNames().size() == 1) {
          parts.add(value);
        } else {
          int split = value.indexOf('/');
          if (split < 0) {
            throw InvalidIdentityRefException.of(kind + " takes " + String.join("/", kind.partNames()), text);
          }
          parts.add(value.substring(0, split));
          parts.add(value.substring(split + 1));
        }
        return build(text, kind, scope, parts);
      }
    }
    throw InvalidIdentityRefException.of("unknown kind '" + word + "' after " + prefix + scope + ":", text);
  }

  private static Kind kindForWord(String text, String word, Kind first, Kind second) {
    if (word.equals(first.word())) {
      return first;
    }
    if (word.equals(second.word())) {
      return second;
    }
    throw InvalidIdentityRefException.of("expected '" + first.word() + "' or '" + second.word() + "', got '" + word + "'", text);
  }

  private static IdentityRef build(String text, Kind kind, String scope, List<String> parts) {
    try {
      return new IdentityRef(kind, scope, parts);
    } catch (InvalidIdentityRefException e) {
      // Report the whole reference, not just the part that broke the rule.
      throw InvalidIdentityRefException.of(e.problem(), text);
    }
  }

  static void checkScope(Kind kind, String scope) {
    switch (kind) {
      case GITHUB_RUN, GITHUB_JOB -> {
        int slash = scope.indexOf('/');
        if (slash <= 0 || slash == scope.length() - 1 || scope.indexOf('/', slash + 1) >= 0) {
          throw InvalidIdentityRefException.of(kind + ": scope must be <owner>/<repo>", scope);
        }
      }
      case GITLAB_PIPELINE, GITLAB_JOB -> {
        int slash = scope.indexOf('/');
        if (slash <= 0 || scope.endsWith("/") || scope.contains("//")) {
          throw InvalidIdentityRefException.of(kind + ": scope must be <host>/<project path>", scope);
        }
      }
      case CDEVENTS_RUN -> { }
      case OIDC_SUBJECT -> {
        // The issuer host may carry a port (host:8443); the first '/' ends it.
        if (scope.indexOf('/') >= 0) {
          throw InvalidIdentityRefException.of(kind + ": issuer host must not contain '/'", scope);
        }
      }
      case GCP_WIF_PRINCIPAL -> {
        if (!WIF_POOL.matcher(scope).matches()) {
          throw InvalidIdentityRefException.of(
              kind + ": pool must be projects/<n>/locations/<l>/workloadIdentityPools/<pool>", scope);
        }
      }
      default -> {
        if (scope.indexOf('/') >= 0 || scope.indexOf(':') >= 0) {
          throw InvalidIdentityRefException.of(kind + ": scope must not contain '/' or ':'", scope);
        }
      }
    }
  }

  static void checkParts(Kind kind, List<String> parts) {
    boolean lastIsFree = switch (kind) {
      case OIDC_SUBJECT, K8S_USER, GCP_WIF_PRINCIPAL, CDEVENTS_RUN -> true;
      default -> false;
    };
    for (int i = 0; i < parts.size(); i++) {
      boolean free = lastIsFree && i == parts.size() - 1;
      if (!free && parts.get(i).indexOf('/') >= 0) {
        throw InvalidIdentityRefException.of(kind + ": " + kind.partNames().get(i) + " must not contain '/'", parts.get(i));
      }
    }
  }

  private static String escapeSubject(String subject) {
    return subject.replace("%", "%25").replace("/", "%2F");
  }

  private static String unescapeSubject(String text, String escaped) {
    StringBuilder out = new StringBuilder(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c != '%') {
        out.append(c);
      } else if (escaped.startsWith("%2F", i)) {
        // Only the spelling format() writes: a second spelling of one node would split joins on the string.
        out.append('/');
        i += 2;
      } else if (escaped.startsWith("%25", i)) {
        out.append('%');
        i += 2;
      } else {
        throw InvalidIdentityRefException.of("a '%' in a CDEvents subject id must be %25 or %2F", text);
      }
    }
    return out.toString();
  }
}
