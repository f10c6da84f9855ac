#!/bin/bash
# Creates Killswitch's topic catalogue on the cluster (idempotent: --if-not-exists), replication factor 3,
# min.insync.replicas 2. The same list as schemas/.../Topics.java (ComposeFileTest keeps the two equal) and
# docs/operations.md. Killswitch's roles also create missing topics at start when their principal may
# (TopicProvisioner); with ACLs that deny CREATE, this script (run as an admin principal) is how topics appear.
#   BOOTSTRAP   the brokers (default kafka-1:19092,kafka-2:19092,kafka-3:19092)
#   PREFIX      the topic prefix (KILLSWITCH_TOPIC_PREFIX; default killswitch)
#   REPLICATION the replication factor (default 3)
#   COMMAND_CONFIG  optional client properties file (SASL/TLS) for kafka-topics.sh
set -euo pipefail
BOOTSTRAP="${BOOTSTRAP:-kafka-1:19092,kafka-2:19092,kafka-3:19092}"
PREFIX="${PREFIX:-killswitch}"
REPLICATION="${REPLICATION:-3}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
extra=()
if [ -n "${COMMAND_CONFIG:-}" ]; then extra=(--command-config "$COMMAND_CONFIG"); fi

WEEK=604800000
MONTH=2592000000
# name                    partitions  configs
TOPICS=(
  "events.k8s             6 cleanup.policy=delete,retention.ms=$WEEK"
  "events.ci              6 cleanup.policy=delete,retention.ms=$WEEK"
  "events.cloud           6 cleanup.policy=delete,retention.ms=$WEEK"
  "revocation.requests    6 cleanup.policy=delete,retention.ms=$MONTH"
  "revocation.actions     6 cleanup.policy=delete,retention.ms=$MONTH"
  "revocation.results     6 cleanup.policy=compact,min.compaction.lag.ms=60000"
  "denylist               1 cleanup.policy=compact,min.compaction.lag.ms=60000"
  "chains                 6 cleanup.policy=compact,min.compaction.lag.ms=60000"
  "alerts                 6 cleanup.policy=delete,retention.ms=$MONTH"
  "deadletter             1 cleanup.policy=delete,retention.ms=$MONTH"
)

for line in "${TOPICS[@]}"; do
  read -r suffix partitions configs <<<"$line"
  args=(--bootstrap-server "$BOOTSTRAP" "${extra[@]}" --create --if-not-exists --topic "$PREFIX.$suffix"
        --partitions "$partitions" --replication-factor "$REPLICATION" --config min.insync.replicas=2)
  IFS=, read -ra kv <<<"$configs"
  for c in "${kv[@]}"; do args+=(--config "$c"); done
  "$KAFKA_BIN/kafka-topics.sh" "${args[@]}"
done
"$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" "${extra[@]}" --list | grep "^$PREFIX\\." || true
echo "topics ready"
