package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.killswitch.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from source payloads before anything is published: the one redactor every source uses,
 * for the {@code raw} field of events and for dead-letter bytes.
 *
 * <p>Three layers, because sources hide secrets in different ways:
 * <ol>
 *   <li>By field name: values of fields such as {@code token}, {@code password}, {@code privateKey},
 *       {@code client-key-data}, {@code Authorization}, {@code secretAccessKey}, {@code sessionToken}; the
 *       {@code value} of a name/value pair whose name is such a word (container env, CI variables); every
 *       value of a CI {@code variables} list.</li>
 *   <li>By Kubernetes kind: every value under {@code data} and {@code stringData} of a Secret (or a
 *       SecretList, or the request/response object of an audit event on {@code secrets}, where a patch
 *       carries no kind), and its {@code kubectl.kubernetes.io/last-applied-configuration} annotation,
 *       which repeats the whole Secret.</li>
 *   <li>By value: PEM private keys, JWTs, bearer/basic credentials, GitHub and GitLab tokens, AWS STS session
 *       tokens, Google OAuth access tokens, {@code password=...}-style assignments inside any string (a ConfigMap
 *       holding an AWS key), and secret fields of JSON held as an escaped string (the {@code CloudTrailEvent}
 *       string of {@code aws cloudtrail lookup-events} output, when its bytes are dead-lettered unparsed).</li>
 * </ol>
 * Identifiers that joins need (access key ids, JTIs, credential ids, usernames) are not secrets and stay.
 * Booleans and nulls are kept even under a secret-looking name ({@code automountServiceAccountToken}).
 */
public final class Redactor {

  /** What a redacted value is replaced with. */
  public static final String MARK = "[REDACTED]";

  private static final Set<String> SECRET_NAMES = Set.of(
      "token", "password", "passwd", "passphrase", "privatekey", "clientkeydata", "clientkey", "authorization",
      "proxyauthorization", "cookie", "setcookie", "secretaccesskey", "clientsecret", "apikey", "secret",
      "xgitlabtoken");
  private static final List<String> SECRET_SUFFIXES = List.of(
      "token", "password", "privatekey", "secretaccesskey", "clientsecret", "apikey", "passphrase", "keydata");
  /**
   * Names that end like a secret but hold none: CloudTrail's {@code subjectFromWebIdentityToken} is the OIDC
   * subject (e.g. {@code repo:acme/app:ref:refs/heads/main}) that joins a cloud session to its CI run.
   */
  private static final Set<String> NOT_SECRET_NAMES = Set.of("subjectfromwebidentitytoken");
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /** Each value pattern with its replacement; group references keep the non-secret part of a match. */
  private static final List<Map.Entry<Pattern, String>> VALUE_PATTERNS = List.of(
      Map.entry(Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)"),
          MARK),
      Map.entry(Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), MARK),
      Map.entry(Pattern.compile("\\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})"),
          MARK),
      Map.entry(Pattern.compile("(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/=-]{16,}"), "$1$2" + MARK),
      Map.entry(Pattern.compile("\"([A-Za-z0-9_.-]*(?i:token|password|passwd|secret_access_key|secretaccesskey"
          + "|privatekey|private_key|client-key-data|client_secret|authorization))\"(\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\""),
          "\"$1\"$2\"" + MARK + "\""),
      // AWS STS session tokens start with one of a few base64 prefixes (IQoJb3JpZ2lu = "!\n\torigin", ...).
      Map.entry(Pattern.compile("\\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{32,}"), MARK),
      Map.entry(Pattern.compile("\\bya29\\.[A-Za-z0-9_-]{20,}"), MARK),
      // A secret field of JSON that is itself held as an escaped JSON string: \"SessionToken\":\"...\".
      Map.entry(Pattern.compile("\\\\\"([A-Za-z0-9_.-]*(?i:token|password|passwd|secretaccesskey|secret_access_key"
          + "|privatekey|private_key|privatekeydata|private_key_data|client_secret|clientsecret))\\\\\"(\\s*:\\s*)"
          + "\\\\\"[^\"\\\\]*\\\\\""), "\\\\\"$1\\\\\"$2\\\\\"" + MARK + "\\\\\""),
      Map.entry(Pattern.compile("(?i)\\b(aws[_-]secret[_-]access[_-]key|aws[_-]session[_-]token|secret[_-]access[_-]key"
          + "|password|passwd|passphrase|client[_-]secret|client-key-data|api[_-]key|token)(\\s*[=:]\\s*)(?!\")[^\\s\"',;&]+"),
          "$1$2" + MARK));

  /** How the secret names of the quoted {@code "name": "value"} pattern (the fifth) end, lower case. */
  private static final List<String> QUOTED_NAME_ENDINGS = List.of("token", "password", "passwd", "secret_access_key",
      "secretaccesskey", "privatekey", "private_key", "client-key-data", "client_secret", "authorization");
  /** How the names of the {@code name=value} pattern (the last) end, lower case. */
  private static final List<String> ASSIGNED_NAME_ENDINGS = List.of("key", "token", "password", "passwd", "passphrase",
      "secret", "data");

  /**
   * For each value pattern above (same order), a cheap test every match must pass: most strings of an event
   * (timestamps, names, URIs) fail all nine, and are not searched by any regular expression.
   */
  private static final List<BiPredicate<String, String>> VALUE_HINTS = List.of(
      (s, lower) -> s.contains("PRIVATE KEY-----"),
      (s, lower) -> s.contains("eyJ"),
      (s, lower) -> (s.contains("gh") && s.indexOf('_') >= 0) || s.contains("github_pat_") || s.contains("glpat-"),
      (s, lower) -> lower.contains("bearer") || lower.contains("basic"),
      (s, lower) -> s.indexOf('"') >= 0 && s.indexOf(':') >= 0 && keywordBefore(lower, ":", true, QUOTED_NAME_ENDINGS),
      (s, lower) -> s.contains("IQoJb3JpZ2lu") || s.contains("FwoGZXIvYXdz") || s.contains("FQoGZXIvYXdz")
          || s.contains("AQoDYXdz"),
      (s, lower) -> s.contains("ya29."),
      (s, lower) -> s.contains("\\\""),
      (s, lower) -> (s.indexOf('=') >= 0 || s.indexOf(':') >= 0) && (lower.contains("key") || lower.contains("token")
          || lower.contains("pass") || lower.contains("secret") || lower.contains("data"))
          && keywordBefore(lower, "=:", false, ASSIGNED_NAME_ENDINGS));
  /**
   * True when one of {@code separators} follows one of the {@code endings}, with only regex whitespace between
   * (and, when {@code quoted}, a closing {@code "} right after the name): where the name/value patterns can match
   * at all. A reason text that merely mentions a token role is not searched.
   */
  private static boolean keywordBefore(String lower, String separators, boolean quoted, List<String> endings) {
    for (int k = 0; k < separators.length(); k++) {
      char separator = separators.charAt(k);
      for (int i = lower.indexOf(separator); i >= 0; i = lower.indexOf(separator, i + 1)) {
        int j = i - 1;
        while (j >= 0 && " \t\n\u000B\f\r".indexOf(lower.charAt(j)) >= 0) {
          j--;
        }
        if (quoted) {
          if (j < 0 || lower.charAt(j) != '"') {
            continue;
          }
          j--;
        }
        for (String ending : endings) {
          if (lower.startsWith(ending, j - ending.length() + 1)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** {@link #isSecretName} answers per field name, remembered (bounded: names come from untrusted input). */
  private static final Map<String, Boolean> SECRET_NAME_CACHE = new ConcurrentHashMap<>();
  private static final int SECRET_NAME_CACHE_MAX = 10_000;

  /** Redacts the tree in place and returns it. */
  public JsonNode redact(JsonNode node) {
    walk(node, false);
    return node;
  }

  /**
   * Redacts the tree in place; true when anything was replaced (or may have been: a subtree marked as a
   * whole counts as changed). False means the tree holds exactly what it held before, so the source bytes it
   * was parsed from are as safe to publish as the tree (see {@link VerbatimObjectNode}).
   */
  public boolean redactInPlace(JsonNode node) {
    return walk(node, false);
  }

  /** Redacts the tree in place and returns it as JSON bytes (for dead letters of parsed input). */
  public byte[] redactToBytes(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(redact(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    }
  }

  /**
   * Redacts bytes that may not parse (a malformed body bound for the dead letter topic): the value
   * patterns on the UTF-8 text. Bytes without a match are returned unchanged, so that what made them
   * malformed stays visible.
   */
  public byte[] redactText(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String redacted = redactString(text);
    return redacted.equals(text) ? bytes : redacted.getBytes(StandardCharsets.UTF_8);
  }

  /** The value patterns applied to one string. */
  public String redactString(String value) {
    if (value.length() < 8) {
      return value;
    }
    String out = value;
    // toLowerCase returns the string itself when it has no upper-case letter: most values cost no copy.
    String lower = out.toLowerCase(Locale.ROOT);
    for (int i = 0; i < VALUE_PATTERNS.size(); i++) {
      if (!VALUE_HINTS.get(i).test(out, lower)) {
        continue;
      }
      Map.Entry<Pattern, String> p = VALUE_PATTERNS.get(i);
      Matcher m = p.getKey().matcher(out);
      if (m.find()) {
        out = m.replaceAll(p.getValue());
        lower = out.toLowerCase(Locale.ROOT);
      }
    }
    return out;
  }

  /** True when something under the node was replaced. */
  private boolean walk(JsonNode node, boolean secretPayload) {
    if (node instanceof ObjectNode object) {
      return walkObject(object, secretPayload);
    }
    boolean changed = false;
    if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode item = array.get(i);
        if (item.isTextual()) {
          String redacted = redactString(item.textValue());
          if (!redacted.equals(item.textValue())) {
            array.set(i, TextNode.valueOf(redacted));
            changed = true;
          }
        } else {
          changed |= walk(item, secretPayload);
        }
      }
    }
    return changed;
  }

  private boolean walkObject(ObjectNode object, boolean secretPayload) {
    String kind = object.path("kind").asText("");
    boolean secret = secretPayload || kind.equals("Secret") || kind.equals("SecretList");
    boolean auditOfSecrets = kind.equals("Event") && object.has("auditID")
        && object.path("objectRef").path("resource").asText("").equals("secrets");
    boolean changed = redactNamedValue(object);
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode value = object.get(name);
      if (value.isNull() || value.isBoolean() || value.isMissingNode()) {
        continue;
      }
      if (secret && (name.equals("data") || name.equals("stringData") || name.equals(LAST_APPLIED))) {
        object.set(name, markAll(value));
        changed = true;
      } else if (name.equals("variables") && value.isArray()) {
        for (JsonNode v : value) {
          if (v instanceof ObjectNode variable && variable.hasNonNull("value")) {
            variable.put("value", MARK);
            changed = true;
          }
        }
      } else if (isSecretName(name) && !value.isContainerNode()) {
        object.put(name, MARK);
        changed = true;
      } else if (isSecretName(name) && !name.equals("secret")) {
        object.set(name, markAll(value));
        changed = true;
      } else if (value.isTextual()) {
        String redacted = redactString(value.textValue());
        if (!redacted.equals(value.textValue())) {
          object.put(name, redacted);
          changed = true;
        }
      } else {
        boolean payloadOfSecret = auditOfSecrets && (name.equals("requestObject") || name.equals("responseObject"));
        changed |= walk(value, secret || payloadOfSecret);
      }
    }
    return changed;
  }

  /**
   * Name/value pairs ({@code env: [{name: DB_PASSWORD, value: ...}]}, {@code {key: AWS_SECRET_ACCESS_KEY,
   * value: ...}}) hide the secret's name in a sibling field. True when the value was replaced.
   */
  private static boolean redactNamedValue(ObjectNode object) {
    JsonNode value = object.get("value");
    if (value == null || !value.isValueNode() || value.isNull() || value.isBoolean()) {
      return false;
    }
    JsonNode name = object.hasNonNull("name") ? object.get("name") : object.get("key");
    if (name != null && name.isTextual() && isSecretName(name.textValue())) {
      object.put("value", MARK);
      return true;
    }
    return false;
  }

  /** Every leaf value under the node replaced, keys and structure kept (so readers see what was there). */
  private static JsonNode markAll(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      List<String> names = new ArrayList<>();
      fields.forEachRemaining(e -> names.add(e.getKey()));
      for (String name : names) {
        object.set(name, markAll(object.get(name)));
      }
      return object;
    }
    if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, markAll(array.get(i)));
      }
      return array;
    }
    return node.isNull() || node.isBoolean() ? node : TextNode.valueOf(MARK);
  }

  /**
   * True for field names that hold a secret. Annotation-style keys ({@code authentication.k8s.io/legacy-token})
   * name metadata, not a secret value, and are left to the value patterns. {@code secret} alone names a
   * secret only as a leaf (a Pod volume's {@code secret: {secretName: ...}} is a reference).
   */
  static boolean isSecretName(String name) {
    Boolean known = SECRET_NAME_CACHE.get(name);
    if (known != null) {
      return known;
    }
    boolean secret = secretName(name);
    if (SECRET_NAME_CACHE.size() < SECRET_NAME_CACHE_MAX) {
      SECRET_NAME_CACHE.put(name, secret);
    }
    return secret;
  }

  private static boolean secretName(String name) {
    if (name.indexOf('/') >= 0) {
      return false;
    }
    String n = normalize(name);
    if (NOT_SECRET_NAMES.contains(n)) {
      return false;
    }
    if (SECRET_NAMES.contains(n) || n.contains("password")) {
      return true;
    }
    for (String suffix : SECRET_SUFFIXES) {
      if (n.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static String normalize(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '-' && c != '_' && c != '.') {
        out.append(Character.toLowerCase(c));
      }
    }
    return out.toString();
  }
}
