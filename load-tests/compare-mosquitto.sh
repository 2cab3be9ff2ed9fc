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
JAR=modules/server/target/meshmq.jar
HARNESS=load-tests/harness/target/harness.jar
RESULTS=$OUT_DIR/results.jsonl

STARTED=()
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[compare $(date -u +%H:%M:%S)] $*" >&2; }
# The first of COUNT consecutive free ports, picked below the kernel's ephemeral range (32768-60999 here), so
# that no outgoing connection of the busy machine takes it between this check and the broker's bind. COUNT 10
# for Hazelcast, whose members find each other by trying cluster.port to cluster.port + 9.
free_port() { # [COUNT=1]
  python3 - "${1:-1}" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(500):
    base = random.randrange(20000, 30000 - count)
    socks = []
    try:
        for p in range(base, base + count):
            s = socket.socket(); socks.append(s); s.bind(("127.0.0.1", p))
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
}

stop_pid() {
  local pid=$1 _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

wait_port() { # PORT PID LOG
  local _
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { log "process $2 exited; its log:"; tail -20 "$3" >&2; return 1; }
    sleep 0.2
  done
  log "port $1 not open after 60 s"; return 1
}

wait_ready() { # HTTP_PORT PID LOG
  local _
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { log "process $2 exited; its log:"; tail -20 "$3" >&2; return 1; }
    sleep 0.2
  done
  log "node on HTTP port $1 not ready after 60 s"; return 1
}

# --- prerequisites ---------------------------------------------------------------------------------------
if ! command -v mosquitto >/dev/null && [[ ! -x /usr/sbin/mosquitto ]]; then
  [[ $(id -u) == 0 ]] || { echo "mosquitto is not installed and installing it needs root (apt-get install mosquitto)" >&2; exit 1; }
  log "installing Debian's mosquitto"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q mosquitto >&2 || {
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mosquitto >&2; }
fi
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
if [[ ! -f $JAR || ! -f $HARNESS ]]; then
  log "building the broker jar and the harness"
  mvn -q -DskipTests package -pl modules/server,load-tests/harness -am
fi
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < IDLE_CONNECTIONS + 200 )); then
  echo "open-files limit $(ulimit -n) is too low for IDLE_CONNECTIONS=$IDLE_CONNECTIONS" >&2; exit 1
fi
mkdir -p "$OUT_DIR"
: > "$RESULTS"
log "results in $OUT_DIR; mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}'), ROUNDS=$ROUNDS"

# --- brokers -------------------------------------------------------------------------------------------------
BROKER_PID=""
BROKER_PORT=""
start_meshmq() { # LOGNAME [--set ...]
  local logfile=$OUT_DIR/$1.log; shift
  BROKER_PORT=$(free_port)
  local http; http=$(free_port)
  # shellcheck disable=SC2086
  java $MESHMQ_JVM_OPTS -jar "$JAR" --set listeners.tcp.port="$BROKER_PORT" --set http.port="$http" "$@" >"$logfile" 2>&1 &
  BROKER_PID=$!
  STARTED+=("$BROKER_PID")
  wait_ready "$http" "$BROKER_PID" "$logfile"
}

start_mosquitto() { # LOGNAME
  local logfile=$OUT_DIR/$1.log conf=$OUT_DIR/mosquitto.conf
  BROKER_PORT=$(free_port)
  { echo "listener $BROKER_PORT 127.0.0.1"; grep -v '^#' load-tests/mosquitto-bench.conf; } > "$conf"
  "$MOSQUITTO" -c "$conf" >"$logfile" 2>&1 &
  BROKER_PID=$!
  STARTED+=("$BROKER_PID")
  wait_port "$BROKER_PORT" "$BROKER_PID" "$logfile"
}

start_broker() { # meshmq|mosquitto ROUND
  if [[ $1 == meshmq ]]; then start_meshmq "meshmq-round$2"; else start_mosquitto "mosquitto-round$2"; fi
}

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

record() { # KEY BROKER ROUND JSON
  jq -c --arg key "$1" --arg broker "$2" --argjson round "$3" '. + {key: $key, broker: $broker, round: $round}' <<<"$4" \
    | tee -a "$RESULTS"
}

run_bench() { # RESULT_KEY SCENARIO_KEY BROKER ROUND PUB_PORT [SUB_PORT]
  local line
  # shellcheck disable=SC2086
  if line=$(java -cp "$HARNESS" io.meshmq.harness.Bench ${SCENARIO[$2]} --port "$5" --sub-port "${6:-$5}" --label "$3" \
      2>>"$OUT_DIR/harness.err"); then
    record "$1" "$3" "$4" "$line"
  else
    record "$1" "$3" "$4" '{"failed":true}'
  fi
}

run_idle() { # BROKER ROUND
  local line
  if line=$(java -jar "$HARNESS" "$BROKER_PORT" "$BROKER_PID" "$IDLE_CONNECTIONS" "$IDLE_SOURCES" "$IDLE_SECONDS" "$1" 60 \
      2>>"$OUT_DIR/harness.err"); then
    record "idle-$IDLE_CONNECTIONS" "$1" "$2" "$line"
  else
    record "idle-$IDLE_CONNECTIONS" "$1" "$2" '{"failed":true}'
  fi
}

declare -A PORT_OF PID_OF
for ((round = 1; round <= ROUNDS; round++)); do
  [[ " $PARTS " == *" compare "* ]] || break
  # alternate who goes first, so that neither always runs on a machine the other has just warmed or loaded
  if ((round % 2)); then BROKERS=(meshmq mosquitto); else BROKERS=(mosquitto meshmq); fi
  log "round $round of $ROUNDS: ${BROKERS[*]}"
  for broker in "${BROKERS[@]}"; do
    # a fresh process per round, its idle-connection figure first, before traffic has grown its pools
    start_broker "$broker" "$round"
    PORT_OF[$broker]=$BROKER_PORT
    PID_OF[$broker]=$BROKER_PID
    log "$broker: idle connections"
    run_idle "$broker" "$round" >/dev/null
    # untimed warm-up: JIT compilation of the publish path (ours), the same short load for Mosquitto
    java -cp "$HARNESS" io.meshmq.harness.Bench fan-in --qos 1 --seconds 3 --port "$BROKER_PORT" >/dev/null 2>>"$OUT_DIR/harness.err" || true
  done
  for key in "${ORDER[@]}"; do
    for broker in "${BROKERS[@]}"; do
      log "$broker: $key"
      run_bench "$key" "$key" "$broker" "$round" "${PORT_OF[$broker]}" >/dev/null
    done
  done
  for broker in "${BROKERS[@]}"; do stop_pid "${PID_OF[$broker]}"; done
done

# --- cross-node, ours only ---------------------------------------------------------------------------------
if [[ " $PARTS " == *" cross "* ]]; then
  log "cross-node: starting a 2-node cluster"
  CLUSTER_ARGS=(--set cluster.enabled=true --set "cluster.name=bench-$$-$RANDOM" --set cluster.members=127.0.0.1
    --set "cluster.port=$(free_port 10)")
  start_meshmq node-a --set node.id=node-a "${CLUSTER_ARGS[@]}"
  A_PORT=$BROKER_PORT; A_PID=$BROKER_PID
  start_meshmq node-b --set node.id=node-b "${CLUSTER_ARGS[@]}"
  B_PORT=$BROKER_PORT; B_PID=$BROKER_PID
  grep -q "with 2 members" "$OUT_DIR/node-b.log" || { log "node-b did not join node-a; see $OUT_DIR/node-*.log"; exit 1; }
  java -cp "$HARNESS" io.meshmq.harness.Bench fan-in --qos 1 --seconds 3 --port "$A_PORT" --sub-port "$B_PORT" >/dev/null 2>>"$OUT_DIR/harness.err" || true
  for ((round = 1; round <= ROUNDS; round++)); do
    for key in fan-in-qos1 latency-qos1; do
      log "meshmq cluster A -> B: $key (round $round)"
      run_bench "cross-node-$key" "$key" meshmq-cluster "$round" "$A_PORT" "$B_PORT" >/dev/null
    done
  done
  stop_pid "$B_PID"; stop_pid "$A_PID"
fi

python3 load-tests/scripts/compare-table.py "$RESULTS" | tee "$OUT_DIR/table.txt"
log "JSON lines: $RESULTS; table: $OUT_DIR/table.txt"
