package dev.killswitch.correlator.internal.streams;

/**
 * Keys of the node stores. Identity references hold no white space, so a space separates the parts and
 * {@code <node> } is a prefix that matches exactly one node's rows. Every row of a node lives in the partition of
 * the node reference (the {@code node-updates} repartition key), which is what interactive queries look up.
 */
public final class StoreKeys {

  public static final String OUT = "out";
  public static final String IN = "in";

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

  /** Deduplication key of a CloudEvent: source and id are unique together (CloudEvents spec). */
  public static String event(String source, String id) {
    return source + " " + id;
  }
}
