#!/usr/bin/env bash
# QoS 1 and 2 to persistent sessions (MQTT 3.1.1 clean session 0; issue 13): MeshMQ standalone beside Mosquitto
# in the same run, alternating, then a 3-node MeshMQ cluster with the subscribers on the publishers' node and on
# another node. Prints one row per scenario and setup; every JSON line goes to $OUT_DIR/results.jsonl.
#
#   load-tests/compare-persistent.sh [ROUNDS=1]
#
# Scenarios (the subscribers all persistent: clean session 0, client id <run>-sub-<i>, sessions ended after each
# run by a clean-session reconnect):
#   fan-in-qos{1,2}                 8 publishers -> 1 subscriber of their wildcard, as fast as their windows allow
#   fan-out-qos{1,2}-subs{N}        1 publisher -> N subscribers of its topic, as fast as its window allows
#   paced-fan-out-qos{1,2}-subs{N}  PACED_PUBLISHERS publishers at PACED_RATE msg/s in all -> N = PACED_SUBSCRIBERS
#                                   (defaults: 4 at 200 msg/s -> 200, i.e. 40,000 deliveries/s asked)
# Parts:
#   standalone  a fresh MeshMQ node and a fresh Mosquitto per round: every scenario on one, then on the other (who
#               goes first alternates per round)
#   cluster     a 3-node MeshMQ cluster (Mosquitto has none): the fan-out scenarios per CLUSTER_SETUPS, publishers
#               on node-1 and subscribers on node-1 (same-node), on node-2 (cross-node) or spread over all three
#               (spread); fan-in QoS 1 cross-node
#
# Environment (defaults in brackets):
#   RUN_SECONDS [10]                how long each scenario publishes
#   DRAIN_SECONDS [10]              longest wait for acknowledgements and deliveries after that
#   QUIET_SECONDS [3]               the wait also ends when nothing arrived for this long (the rest counts as lost)
#   WINDOW [32]                     unacknowledged QoS 1/2 messages per publisher (the harness's --window)
#   SUBSCRIBER_COUNTS ["1 200 2000"]  fan-out sizes
#   QOS_LEVELS ["1 2"]
#   PACED_PUBLISHERS [4], PACED_RATE [200] (msg/s over all publishers), PACED_SUBSCRIBERS [200]
#   CLUSTER_SETUPS ["same-node cross-node"]  add "spread" for subscribers round robin over the three nodes
#   PARTS ["standalone cluster"]
#   SCENARIOS ["*"]                 shell patterns of the scenario keys to run, e.g. 'fan-in-* paced-*'
#   MESHMQ_JVM_OPTS                 [-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError], as compare-mosquitto.sh
#   OUT_DIR                         [load-tests/target/persistent-<UTC time>]
#
# Mosquitto runs with load-tests/mosquitto-bench.conf (no persistence to disk: its sessions live in memory, as a
# standalone MeshMQ node's do). After each MeshMQ run the script reads the nodes' meshmq_sessions gauge until it is
# 0 (at most 5 s) and records it as sessions_left: a session the clean-up did not end shows there. Each harness
# run is bounded (RUN_SECONDS + DRAIN_SECONDS + 180 s, then killed); brokers are stopped by PID when the script exits.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-1}
RUN_SECONDS=${RUN_SECONDS:-10}
DRAIN_SECONDS=${DRAIN_SECONDS:-10}
QUIET_SECONDS=${QUIET_SECONDS:-3}
WINDOW=${WINDOW:-32}
SUBSCRIBER_COUNTS=${SUBSCRIBER_COUNTS:-1 200 2000}
QOS_LEVELS=${QOS_LEVELS:-1 2}
PACED_PUBLISHERS=${PACED_PUBLISHERS:-4}
PACED_RATE=${PACED_RATE:-200}
PACED_SUBSCRIBERS=${PACED_SUBSCRIBERS:-200}
CLUSTER_SETUPS=${CLUSTER_SETUPS:-same-node cross-node}
PARTS=${PARTS:-standalone cluster}
SCENARIOS=${SCENARIOS:-*}
MESHMQ_JVM_OPTS=${MESHMQ_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError"}
OUT_DIR=${OUT_DIR:-load-tests/target/persistent-$(date -u +%Y%m%dT%H%M%SZ)}
RESULTS=$OUT_DIR/results.jsonl
BENCH_TAG=persistent
BENCH_TIME_LIMIT=$((RUN_SECONDS + DRAIN_SECONDS + 180))
# shellcheck source=scripts/bench-lib.sh
source load-tests/scripts/bench-lib.sh

bench_prerequisites
mkdir -p "$OUT_DIR"
: > "$RESULTS"
log "results in $OUT_DIR; mosquitto $(mosquitto_version), ROUNDS=$ROUNDS"

# --- scenarios: KEY -> harness arguments (ports and label are added per run) ---------------------------------
COMMON="--persistent --seconds $RUN_SECONDS --drain-seconds $DRAIN_SECONDS --quiet-seconds $QUIET_SECONDS --window $WINDOW"
declare -A SCENARIO
ORDER=()
add_scenario() { # KEY ARGS...
  local key=$1 pattern patterns
  shift
  read -ra patterns <<<"$SCENARIOS"   # not a bare $SCENARIOS, which the shell would glob against file names
  for pattern in "${patterns[@]}"; do
    # shellcheck disable=SC2053
    if [[ $key == $pattern ]]; then
      SCENARIO[$key]="$* $COMMON"
      ORDER+=("$key")
      return
    fi
  done
}
for q in $QOS_LEVELS; do add_scenario "fan-in-qos$q" fan-in --qos "$q" --publishers 8; done
for n in $SUBSCRIBER_COUNTS; do
  for q in $QOS_LEVELS; do add_scenario "fan-out-qos$q-subs$n" fan-out --qos "$q" --subscribers "$n"; done
done
for q in $QOS_LEVELS; do
  add_scenario "paced-fan-out-qos$q-subs$PACED_SUBSCRIBERS" fan-out --qos "$q" --publishers "$PACED_PUBLISHERS" \
    --subscribers "$PACED_SUBSCRIBERS" --rate "$PACED_RATE"
done
((${#ORDER[@]})) || { echo "SCENARIOS='$SCENARIOS' matches no scenario" >&2; exit 2; }
log "scenarios: ${ORDER[*]}"

for setup in $CLUSTER_SETUPS; do
  [[ $setup =~ ^(same-node|cross-node|spread)$ ]] || { echo "CLUSTER_SETUPS: unknown setup '$setup'" >&2; exit 2; }
done

# Sessions still held by the given MeshMQ nodes once they have settled: 0 unless a session outlived its clean-up;
# null when a node did not answer.
sessions_left() { # HTTP_PORT...
  local total _ http value
  for _ in $(seq 1 25); do
    total=0
    for http in "$@"; do
      value=$(meshmq_metric "$http" meshmq_sessions)
      [[ -n $value ]] || { echo null; return; }
      total=$((total + value))
    done
    ((total == 0)) && break
    sleep 0.2
  done
  echo "$total"
}

run_case() { # KEY BROKER SETUP ROUND HTTP_PORTS("" for Mosquitto) HARNESS_ARGS...
  local key=$1 broker=$2 setup=$3 round=$4 http=$5 line left=null
  shift 5
  log "$broker ($setup): $key"
  # shellcheck disable=SC2086
  line=$(harness_json $BENCH ${SCENARIO[$key]} --label "$broker" "$@")
  # shellcheck disable=SC2086
  [[ -z $http ]] || left=$(sessions_left $http)
  record "$key" "$broker" "$round" "$line" "{\"setup\":\"$setup\",\"sessions_left\":$left}" >/dev/null
}

warm_up() { # HARNESS_PORT_ARGS...: untimed, JIT compilation of the publish path (ours), the same load for Mosquitto
  $BENCH fan-in --qos 1 --seconds 3 "$@" >/dev/null 2>>"$OUT_DIR/harness.err" || true
}

# --- standalone: MeshMQ and Mosquitto, alternating ---------------------------------------------------------
warm_up_broker() { warm_up --port "${PORT_OF[$1]}"; }   # BROKER
standalone_scenario() { # KEY BROKER
  run_case "$1" "$2" standalone "$ROUND" "${HTTP_OF[$2]}" --port "${PORT_OF[$2]}"
}
if [[ " $PARTS " == *" standalone "* ]]; then
  for ((round = 1; round <= ROUNDS; round++)); do alternating_round "$round" warm_up_broker standalone_scenario; done
fi

# --- a 3-node MeshMQ cluster ---------------------------------------------------------------------------------
if [[ " $PARTS " == *" cluster "* ]]; then
  log "cluster: starting 3 nodes"
  start_cluster 3
  A=${NODE_PORTS[0]}; B=${NODE_PORTS[1]}; C=${NODE_PORTS[2]}
  warm_up --port "$A" --sub-port "$B"
  declare -A SUBS_OF=([same-node]="--sub-port $A" [cross-node]="--sub-port $B" [spread]="--sub-ports $A,$B,$C")
  for ((round = 1; round <= ROUNDS; round++)); do
    for key in "${ORDER[@]}"; do
      if [[ $key == fan-in-* ]]; then
        # fan-in has one subscriber: only the cross-node case is asked for (and only QoS 1)
        [[ $key == fan-in-qos1 ]] || continue
        setups=(cross-node)
      else
        read -ra setups <<<"$CLUSTER_SETUPS"
      fi
      for setup in "${setups[@]}"; do
        # shellcheck disable=SC2086
        run_case "$key" meshmq-cluster "$setup" "$round" "${NODE_HTTP[*]}" --port "$A" ${SUBS_OF[$setup]}
      done
    done
  done
  stop_cluster
fi

python3 load-tests/scripts/persistent-table.py "$RESULTS" | tee "$OUT_DIR/table.txt"
log "JSON lines: $RESULTS; table: $OUT_DIR/table.txt"
