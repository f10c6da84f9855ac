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
  /**
   * {@code <node> out|in <kind> <other>} -> {@code NodeEdge}: each edge at both of its ends; and
   * {@code <node> att <root> <kind> <other>}: a shared principal's outbound edge aggregated per chain root.
   */
  public static final String NODE_EDGES_STORE = "node-edges";
  /** {@code <node>} -> {@code NodeRevocations}: revocation results by target. */
  public static final String NODE_REVOCATIONS_STORE = "node-revocations";
  /**
   * {@code <node> fact <time> <event id> <edge key>} and {@code <node> cand <ref>} -> {@code Attribution}: at a join
   * key, the observations waiting for what they join with, and the candidates they may join with.
   */
  public static final String NODE_ATTRIBUTIONS_STORE = "node-attributions";
  /** Time index of every node-store row: {@code <bucket ms> <store tag> <row key>} -> touch time (epoch ms). */
  public static final String NODE_EXPIRY_STORE = "node-expiry-index";
  /** {@code <chainId>} -> {@code ChainState}. */
  public static final String CHAINS_STORE = "chains";
  /**
   * Time index of the chains waiting for the wall clock (a grace period, a break-glass bound):
   * {@code <due epoch ms> t <chainId>} -> due time.
   */
  public static final String TRIGGER_SCHEDULE_STORE = "trigger-schedule";
  /** Time index of the chains by last change: {@code <bucket ms> x <chainId>} -> change time. */
  public static final String CHAIN_EXPIRY_STORE = "chain-expiry-index";
  /** Holds nothing: lets intake send a node's messages of one commit as one record ({@link CommitHook}). */
  public static final String INTAKE_COMMIT_HOOK = "intake-commit-hook";
  /** Holds nothing: lets the chains step decide each changed chain once per commit ({@link CommitHook}). */
  public static final String CHAINS_COMMIT_HOOK = "chains-commit-hook";
  /** Holds nothing: lets the graph step send an edge to its chains once per commit ({@link CommitHook}). */
  public static final String GRAPH_COMMIT_HOOK = "graph-commit-hook";

  // ---- repartition topics (<application.id>-<name>-repartition) ----
  /**
   * Node messages keyed by node reference: from intake, and fed back by the graph step (the loop, sink
   * {@link #SINK_NODE_LOOP}), so that multi-hop chains resolve across partitions.
   */
  public static final String NODE_UPDATES = "node-updates";
  /** The internal topic name of {@link #NODE_UPDATES}, as sinks name it (Kafka Streams adds the application id). */
  public static final String NODE_UPDATES_TOPIC = NODE_UPDATES + "-repartition";
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
  public static final String GRAPH_ROUTE = "graph-route-";
  public static final String GRAPH_TO_CHAIN = "chain";
  public static final String GRAPH_TO_LOOP = "loop";
  public static final String CHAINS = "chains-and-triggers";
  public static final String EMIT = "emit-";
  public static final String EMIT_SNAPSHOT = "snapshot";
  public static final String EMIT_REQUEST = "request";
  public static final String EMIT_ALERT = "alert";
  public static final String SINK_DEADLETTER = "sink-deadletter";
  public static final String SINK_CHAINS = "sink-chains";
  public static final String SINK_REQUESTS = "sink-revocation-requests";
  public static final String SINK_ALERTS = "sink-alerts";
  /** Writes the graph step's node messages back into {@link #NODE_UPDATES}. */
  public static final String SINK_NODE_LOOP = "sink-node-loop";

  private TopologyNames() {}
}
