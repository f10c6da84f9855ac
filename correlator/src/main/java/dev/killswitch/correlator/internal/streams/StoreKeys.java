package dev.killswitch.correlator.internal.streams;

/**
 * Keys of the node stores. Identity references hold no white space, so a space separates the parts and
 * {@code <node> } is a prefix that matches exactly one node's rows. Every row of a node lives in the partition of
 * the node reference (the {@code node-updates} repartition key), which is what interactive queries look up.
 */
public final class StoreKeys {

  public static final String OUT = "out";
  public static final String IN = "in";
  /** Outbound edges of a shared principal, aggregated per chain root they were attributed to. */
  public static final String ATTRIBUTED = "att";
  static final String FACT = "fact";
  static final String CANDIDATE = "cand";

  private StoreKeys() {}

  public static String nodePrefix(String node) {
    return node + " ";
  }

  public static String nodeChain(String node, String chainId) {
    return node + " " + chainId;
  }

  public static String edgePrefix(String node, String direction) {
    return node + " " + direction + " ";
  }

  public static String edge(String node, String direction, String kind, String other) {
    return node + " " + direction + " " + kind + " " + other;
  }

  public static String attributedPrefix(String node, String root) {
    return node + " " + ATTRIBUTED + " " + root + " ";
  }

  public static String attributed(String node, String root, String kind, String other) {
    return attributedPrefix(node, root) + kind + " " + other;
  }

  static String factPrefix(String node) {
    return node + " " + FACT + " ";
  }

  /** Kept observations are ordered by their time, so that those within a span are one range. */
  static String fact(String node, java.time.Instant at, String eventId, String edgeKey) {
    return factAt(node, at) + " " + eventId + " " + edgeKey;
  }

  static String factAt(String node, java.time.Instant at) {
    return factPrefix(node) + pad13(at.toEpochMilli());
  }

  /** When the node last got a message (its rows expire together). */
  static String touched(String node) {
    return node + " touched";
  }

  static String candidatePrefix(String node) {
    return node + " " + CANDIDATE + " ";
  }

  static String candidate(String node, String ref) {
    return candidatePrefix(node) + ref;
  }

  static String activityPrefix(String node, long bucketMs) {
    return node + " act " + pad13(bucketMs) + " ";
  }

  /** A candidate (token of a service account, run of an OIDC subject) active in a time bucket at the node. */
  static String activity(String node, long bucketMs, String ref) {
    return activityPrefix(node, bucketMs) + ref;
  }

  /** Epoch milliseconds as 13 digits, so that the byte order of keys is time order (String.format is slow). */
  static String pad13(long ms) {
    String digits = Long.toString(Math.max(0, ms));
    return digits.length() >= 13 ? digits : "0000000000000".substring(digits.length()) + digits;
  }

  /** Deduplication key of a CloudEvent: source and id are unique together (CloudEvents spec). */
  public static String event(String source, String id) {
    return source + " " + id;
  }
}
