package dev.killswitch.revoker.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inline policy {@value #NAME} that {@code aws.deny-session} keeps on a role: every denied session of the role,
 * packed so that many fit under IAM's limit on a role's inline policies ({@value #LIMIT} characters, white space
 * not counted). A pure value: parse what IAM holds, change it, render it.
 *
 * <p>Each statement is {@code Deny * on *} with one condition, {@code StringEquals} on {@code aws:userid}
 * ({@code <RoleId>:<session name>}, which is what the caller's {@code aws:userid} is for an assumed-role session)
 * or on {@code aws:SourceIdentity}, whose value array holds every session of the statement (IAM ORs the values of a
 * key). Sessions are grouped by when they expire at the latest, rounded up to the hour: the Sid says it,
 * {@code KsUserIdUntil2026030113} or {@code KsSourceIdentityUntil2026030113}, and a statement whose hour has passed
 * is dropped on the next write, because every session in it has expired. A temporary lock's entries get a statement
 * of their own, tagged with the action ({@code ...Lock<first 12 hex of the action id>}), so that lifting one lock
 * never lifts another request's deny of the same session. Statements this class did not write are kept as they are.
 */
final class SessionDenyPolicy {

  static final String NAME = "KillswitchDenySessions";
  static final int LIMIT = 10_240;
  static final String USER_ID = "aws:userid";
  static final String SOURCE_IDENTITY = "aws:SourceIdentity";
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuuMMddHH").withZone(ZoneOffset.UTC);
  private static final Pattern SID = Pattern.compile("Ks(UserId|SourceIdentity)Until(\\d{10})(?:Lock([0-9a-f]{12}))?");

  /** One statement of ours: the condition key, the hour its sessions expire by, the lock it belongs to if any. */
  private record Group(String key, Instant until, String lock) {
    String sid() {
      return "Ks" + (key.equals(USER_ID) ? "UserId" : "SourceIdentity") + "Until" + HOUR.format(until)
          + (lock == null ? "" : "Lock" + lock);
    }
  }

  private final Map<String, SortedSet<String>> groups = new TreeMap<>();   // by Sid
  private final Map<String, Group> meta = new TreeMap<>();
  private final List<JsonNode> foreign = new ArrayList<>();

  /** An empty policy. */
  static SessionDenyPolicy empty() {
    return new SessionDenyPolicy();
  }

  /**
   * Reads the document as IAM returns it (URL-encoded, RFC 3986) or as plain JSON.
   *
   * @throws IllegalArgumentException when it is not a policy document
   */
  static SessionDenyPolicy parse(String document) {
    String json = document.stripLeading().startsWith("{") ? document
        : URLDecoder.decode(document, StandardCharsets.UTF_8);
    JsonNode root;
    try {
      root = Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a policy document: " + e.getMessage(), e);
    }
    SessionDenyPolicy policy = new SessionDenyPolicy();
    JsonNode statements = root == null ? null : root.path("Statement");
    if (statements == null || statements.isMissingNode()) {
      return policy;
    }
    for (JsonNode s : statements.isArray() ? statements : List.of(statements)) {
      Matcher m = SID.matcher(s.path("Sid").asText(""));
      if (!m.matches()) {
        policy.foreign.add(s);
        continue;
      }
      String key = m.group(1).equals("UserId") ? USER_ID : SOURCE_IDENTITY;
      Instant until = LocalDateTime.parse(m.group(2), HOUR).toInstant(ZoneOffset.UTC);
      Group g = new Group(key, until, m.group(3));
      JsonNode values = s.path("Condition").path("StringEquals").path(key);
      SortedSet<String> set = policy.groups.computeIfAbsent(g.sid(), k -> new TreeSet<>());
      policy.meta.put(g.sid(), g);
      if (values.isArray()) {
        values.forEach(v -> set.add(v.asText()));
      } else if (values.isTextual()) {
        set.add(values.asText());
      }
    }
    return policy;
  }

  /** Drops the statements whose sessions have all expired by {@code now}; answers how many entries went. */
  int dropExpired(Instant now) {
    int dropped = 0;
    for (Iterator<Map.Entry<String, Group>> it = meta.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Group> e = it.next();
      if (!e.getValue().until().isAfter(now)) {
        dropped += groups.remove(e.getKey()).size();
        it.remove();
      }
    }
    return dropped;
  }

  /** True when a statement still in force at {@code now} denies this value of the key. */
  boolean denies(String key, String value, Instant now) {
    return meta.entrySet().stream().anyMatch(e -> e.getValue().key().equals(key)
        && e.getValue().until().isAfter(now) && groups.get(e.getKey()).contains(value));
  }

  /**
   * Denies a session until it has surely expired ({@code sessionExpiresBy}, rounded up to the hour).
   *
   * @param lock the action id of a temporary lock, or null for a permanent deny
   * @return the hour the entry is kept until
   */
  Instant add(String key, String value, Instant sessionExpiresBy, String lock) {
    Instant until = sessionExpiresBy.truncatedTo(ChronoUnit.HOURS);
    if (until.isBefore(sessionExpiresBy)) {
      until = until.plus(1, ChronoUnit.HOURS);
    }
    Group g = new Group(key, until, lock == null ? null : lock.substring(0, 12));
    meta.put(g.sid(), g);
    groups.computeIfAbsent(g.sid(), k -> new TreeSet<>()).add(value);
    return until;
  }

  /** Removes the statements of this lock (its action id); true when there were any. */
  boolean removeLock(String actionId) {
    String tag = actionId.substring(0, 12);
    boolean removed = false;
    for (Iterator<Map.Entry<String, Group>> it = meta.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Group> e = it.next();
      if (tag.equals(e.getValue().lock())) {
        groups.remove(e.getKey());
        it.remove();
        removed = true;
      }
    }
    return removed;
  }

  /** Entries (denied sessions) in the policy. */
  int entries() {
    return groups.values().stream().mapToInt(SortedSet::size).sum();
  }

  boolean isEmpty() {
    return groups.isEmpty() && foreign.isEmpty();
  }

  /** The compact JSON document. */
  String json() {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("Version", "2012-10-17");
    ArrayNode statements = root.putArray("Statement");
    for (Map.Entry<String, Group> e : meta.entrySet()) {
      ObjectNode s = statements.addObject();
      s.put("Sid", e.getKey());
      s.put("Effect", "Deny");
      s.put("Action", "*");
      s.put("Resource", "*");
      ArrayNode values = s.putObject("Condition").putObject("StringEquals").putArray(e.getValue().key());
      groups.get(e.getKey()).forEach(values::add);
    }
    foreign.forEach(statements::add);
    return root.toString();
  }

  /** The size IAM counts against {@value #LIMIT}: characters other than white space. */
  static int size(String json) {
    return (int) json.chars().filter(c -> !Character.isWhitespace(c)).count();
  }
}
