package dev.killswitch.correlator.internal.streams;

/**
 * Every name in the correlator topology: state stores, repartition topics, processors, sources and sinks. Names
 * are part of the deployed state (changelog and repartition topics are named after them), so they are fixed here
 * and never generated.
 */
public final class TopologyNames {

  // ---- state stores (changelog topic: <application.id>-<store>-changelog) ----
  /** Window store: {@code <source> <id>} of every CloudEvent seen within the retention -> first record time. */
  public static final String DEDUPE_STORE = "dedupe-event-ids";
  /** {@code <node> <chainId>} -> {@code NodeChain}: the node -> chain index. */
  public static final String NODE_CHAINS_STORE = "node-chains";
  /** {@code <node> out|in <kind> <other>} -> {@code NodeEdge}: each edge at both of its ends. */
  public static final String NODE_EDGES_STORE = "node-edges";
  /** {@code <node>} -> {@code NodeRevocations}: revocation results by target. */
  public static final String NODE_REVOCATIONS_STORE = "node-revocations";
  /** {@code <chainId>} -> {@code ChainState}. */
  public static final String CHAINS_STORE = "chains";
  /** {@code <chainId>} -> epoch millis when its job-completed trigger is due (only while a grace period runs). */
  public static final String TRIGGER_SCHEDULE_STORE = "trigger-schedule";

  // ---- repartition topics (<application.id>-<name>-repartition) ----
  /** Node messages keyed by node reference. */
  public static final String NODE_UPDATES = "node-updates";
  /** Chain messages keyed by chain id. */
  public static final String CHAIN_UPDATES = "chain-updates";

  // ---- processors, sources and sinks ----
  public static final String SOURCE_CI = "source-ci-events";
  public static final String SOURCE_K8S = "source-k8s-events";
  public static final String SOURCE_CLOUD = "source-cloud-events";
  public static final String SOURCE_RESULTS = "source-revocation-results";
  public static final String INTAKE = "intake-decode-dedupe-extract";
  public static final String ROUTE = "route-";
  public static final String ROUTE_DEADLETTER = "deadletter";
  public static final String ROUTE_NODE = "node";
  public static final String GRAPH = "graph-nodes";
  public static final String CHAINS = "chains-and-triggers";
  public static final String EMIT = "emit-";
  public static final String EMIT_SNAPSHOT = "snapshot";
  public static final String EMIT_REQUEST = "request";
  public static final String SINK_DEADLETTER = "sink-deadletter";
  public static final String SINK_CHAINS = "sink-chains";
  public static final String SINK_REQUESTS = "sink-revocation-requests";

  private TopologyNames() {}
}
