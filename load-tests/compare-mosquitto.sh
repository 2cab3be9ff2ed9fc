#!/usr/bin/env bash
# Runs every benchmark scenario of load-tests/harness against MeshMQ and against Debian's Mosquitto in the same
# run, alternating, and prints per scenario the median of each broker over the rounds and the ratio
# ours/Mosquitto; then the cross-node scenarios on a 2-node MeshMQ cluster (Mosquitto has no cluster) against
# their targets. Every JSON line goes to a results file.
#
#   load-tests/compare-mosquitto.sh [ROUNDS=3]
#
# Environment (defaults in brackets):
#   RUN_SECONDS [10]          how long each throughput scenario publishes
#   LATENCY_SECONDS [20]      length of the fixed-rate latency run (the first 2 s are not timed)
#   IDLE_CONNECTIONS [19000]  idle connections held by one harness process (the per-process open-files hard
#                             limit here is 20,000: harness and broker are separate processes)
#   IDLE_SOURCES [8]          source addresses 127.0.0.1..N the idle connections are spread over
#   IDLE_SECONDS [20]         how long they stay idle before the broker's CPU is read
#   MESHMQ_JVM_OPTS           JVM flags of our broker [-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError]:
#                             what we tell users to run a dedicated node with: a fixed heap, pre-touched, so that
#                             the process does not grow under load, and an exit on OutOfMemoryError (G1 is the
#                             JDK default). The idle scenario adds the heap growth to the RSS growth.
#   PARTS ["compare cross"]   which parts run: "compare" (MeshMQ against Mosquitto), "cross" (the 2-node cluster)
#   OUT_DIR                   where results.jsonl, table.txt and the broker logs go
#                             [load-tests/target/compare-<UTC time>]
#
# Mosquitto runs with load-tests/mosquitto-bench.conf's settings (anonymous on 127.0.0.1 only, the same
# in-flight and queue bounds as our defaults). Installs the `mosquitto` package with apt-get if it is missing
# (needs root). Builds modules/server/target/meshmq.jar and load-tests/harness/target/harness.jar if missing.
# Brokers are started and stopped by PID, and whatever this script started is stopped when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
RUN_SECONDS=${RUN_SECONDS:-10}
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-19000}
IDLE_SOURCES=${IDLE_SOURCES:-8}
IDLE_SECONDS=${IDLE_SECONDS:-20}
MESHMQ_JVM_OPTS=${MESHMQ_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError"}
PARTS=${PARTS:-compare cross}
OUT_DIR=${OUT_DIR:-load-tests/target/compare-$(date -u +%Y%m%dT%H%M%SZ)}
RESULTS=$OUT_DIR/results.jsonl
BENCH_TAG=compare
# shellcheck source=scripts/bench-lib.sh
source load-tests/scripts/bench-lib.sh

# --- prerequisites ---------------------------------------------------------------------------------------
bench_prerequisites
if (( $(ulimit -n) < IDLE_CONNECTIONS + 200 )); then
  echo "open-files limit $(ulimit -n) is too low for IDLE_CONNECTIONS=$IDLE_CONNECTIONS" >&2; exit 1
fi
mkdir -p "$OUT_DIR"
: > "$RESULTS"
log "results in $OUT_DIR; mosquitto $(mosquitto_version), ROUNDS=$ROUNDS"

# --- scenarios ---------------------------------------------------------------------------------------------
# KEY -> harness arguments; the port and label are added per run
declare -A SCENARIO=(
  [fan-in-qos0]="fan-in --qos 0 --seconds $RUN_SECONDS"
  [fan-in-qos1]="fan-in --qos 1 --seconds $RUN_SECONDS"
  [fan-in-qos2]="fan-in --qos 2 --seconds $RUN_SECONDS"
  [fan-out-qos0]="fan-out --qos 0 --seconds $RUN_SECONDS"
  [fan-out-qos1]="fan-out --qos 1 --seconds $RUN_SECONDS"
  [latency-qos1]="latency --qos 1 --rate 1000 --seconds $LATENCY_SECONDS"
)
ORDER=(fan-in-qos0 fan-in-qos1 fan-in-qos2 fan-out-qos0 fan-out-qos1 latency-qos1)

run_bench() { # RESULT_KEY SCENARIO_KEY BROKER ROUND PUB_PORT [SUB_PORT]
  # shellcheck disable=SC2086
  record "$1" "$3" "$4" "$(harness_json $BENCH ${SCENARIO[$2]} --port "$5" --sub-port "${6:-$5}" --label "$3")"
}

run_idle() { # BROKER ROUND
  record "idle-$IDLE_CONNECTIONS" "$1" "$2" "$(harness_json java -jar "$HARNESS" "$BROKER_PORT" "$BROKER_PID" \
    "$IDLE_CONNECTIONS" "$IDLE_SOURCES" "$IDLE_SECONDS" "$1" 60)"
}

prepare_broker() { # BROKER: a fresh process's idle-connection figure first, before traffic has grown its pools
  log "$1: idle connections"
  run_idle "$1" "$ROUND" >/dev/null
  # untimed warm-up: JIT compilation of the publish path (ours), the same short load for Mosquitto
  $BENCH fan-in --qos 1 --seconds 3 --port "$BROKER_PORT" >/dev/null 2>>"$OUT_DIR/harness.err" || true
}

compare_scenario() { # KEY BROKER
  log "$2: $1"
  run_bench "$1" "$1" "$2" "$ROUND" "${PORT_OF[$2]}" >/dev/null
}

if [[ " $PARTS " == *" compare "* ]]; then
  for ((round = 1; round <= ROUNDS; round++)); do alternating_round "$round" prepare_broker compare_scenario; done
fi

# --- cross-node, ours only ---------------------------------------------------------------------------------
if [[ " $PARTS " == *" cross "* ]]; then
  log "cross-node: starting a 2-node cluster"
  start_cluster 2
  A_PORT=${NODE_PORTS[0]}; B_PORT=${NODE_PORTS[1]}
  $BENCH fan-in --qos 1 --seconds 3 --port "$A_PORT" --sub-port "$B_PORT" >/dev/null 2>>"$OUT_DIR/harness.err" || true
  for ((round = 1; round <= ROUNDS; round++)); do
    for key in fan-in-qos1 latency-qos1; do
      log "meshmq cluster A -> B: $key (round $round)"
      run_bench "cross-node-$key" "$key" meshmq-cluster "$round" "$A_PORT" "$B_PORT" >/dev/null
    done
  done
  stop_cluster
fi

python3 load-tests/scripts/compare-table.py "$RESULTS" | tee "$OUT_DIR/table.txt"
log "JSON lines: $RESULTS; table: $OUT_DIR/table.txt"
