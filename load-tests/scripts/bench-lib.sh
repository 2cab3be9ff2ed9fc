# Helpers shared by load-tests/compare-mosquitto.sh and load-tests/compare-persistent.sh; sourced, not run.
# Runs from the repository root. The sourcing script sets, before calling these functions:
#   OUT_DIR, RESULTS     where logs and JSON lines go
#   MESHMQ_JVM_OPTS      our broker's JVM flags
#   BENCH_TAG            the log prefix (the script's name)
# Whatever is started through start_meshmq / start_mosquitto is stopped by PID when the sourcing script exits.

JAR=modules/server/target/meshmq.jar
HARNESS=load-tests/harness/target/harness.jar
BENCH="java -cp $HARNESS io.meshmq.harness.Bench"

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

log() { echo "[${BENCH_TAG:-bench} $(date -u +%H:%M:%S)] $*" >&2; }
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

# The value of one of our broker's Prometheus gauges (summed over its label sets), or nothing.
meshmq_metric() { # HTTP_PORT NAME
  curl -fs "http://127.0.0.1:$1/metrics" 2>/dev/null \
    | awk -v name="$2" '$1 == name || index($1, name "{") == 1 { sum += $NF; found = 1 } END { if (found) printf "%d\n", sum }'
}

# Installs Debian's mosquitto when missing (root), builds the broker jar and the harness when missing, raises the
# open-files limit to the hard limit; sets MOSQUITTO.
bench_prerequisites() {
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
}

mosquitto_version() { "$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}'; }

# --- brokers -------------------------------------------------------------------------------------------------
BROKER_PID=""
BROKER_PORT=""
BROKER_HTTP=""
start_meshmq() { # LOGNAME [--set ...]
  local logfile=$OUT_DIR/$1.log; shift
  BROKER_PORT=$(free_port)
  BROKER_HTTP=$(free_port)
  # without MESHMQ_JVM_OPTS in its environment: the broker reads every MESHMQ_* variable as a setting and refuses
  # to start on one it does not know
  # shellcheck disable=SC2086
  env -u MESHMQ_JVM_OPTS java $MESHMQ_JVM_OPTS -jar "$JAR" --set listeners.tcp.port="$BROKER_PORT" \
    --set http.port="$BROKER_HTTP" "$@" >"$logfile" 2>&1 &
  BROKER_PID=$!
  STARTED+=("$BROKER_PID")
  wait_ready "$BROKER_HTTP" "$BROKER_PID" "$logfile"
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

# One round of MeshMQ against Mosquitto: a fresh process of each, who goes first alternating per round (so that
# neither always runs on a machine the other has just warmed or loaded); PREPARE BROKER on each once it is up (an
# idle figure, a warm-up), then RUN KEY BROKER for every key of ORDER on one, then on the other; both stopped at
# the end. Meanwhile PORT_OF, PID_OF and HTTP_OF (empty for Mosquitto) name the running brokers, and the callbacks
# see ROUND.
declare -A PORT_OF PID_OF HTTP_OF
alternating_round() { # ROUND PREPARE RUN
  local prepare=$2 run=$3 broker key brokers
  ROUND=$1
  if ((ROUND % 2)); then brokers=(meshmq mosquitto); else brokers=(mosquitto meshmq); fi
  log "round $ROUND of $ROUNDS: ${brokers[*]}"
  for broker in "${brokers[@]}"; do
    BROKER_HTTP=""
    if [[ $broker == meshmq ]]; then start_meshmq "meshmq-round$ROUND"; else start_mosquitto "mosquitto-round$ROUND"; fi
    PORT_OF[$broker]=$BROKER_PORT; PID_OF[$broker]=$BROKER_PID; HTTP_OF[$broker]=$BROKER_HTTP
    "$prepare" "$broker"
  done
  for key in "${ORDER[@]}"; do
    for broker in "${brokers[@]}"; do "$run" "$key" "$broker"; done
  done
  for broker in "${brokers[@]}"; do stop_pid "${PID_OF[$broker]}"; done
}

# A MeshMQ cluster of COUNT nodes on loopback, as the project README starts one (cluster.enabled, a cluster.name
# of its own so that it never merges with another cluster on the machine), each node with its own MQTT, HTTP and
# Hazelcast port: node i takes cluster.port BASE + i of one free range and is told every member's address, so no
# node depends on Hazelcast's port scan. Started one after the other, each waited for until /health/ready (joined,
# route table loaded); then every node must count COUNT members. Sets NODE_PORTS, NODE_HTTP and NODE_PIDS
# (index 0 = node-1).
NODE_PORTS=()
NODE_HTTP=()
NODE_PIDS=()
start_cluster() { # COUNT
  local count=$1 base members="" i _
  base=$(free_port 10)
  for ((i = 0; i < count; i++)); do members+="${members:+,}127.0.0.1:$((base + i))"; done
  NODE_PORTS=(); NODE_HTTP=(); NODE_PIDS=()
  local name="bench-$$-$RANDOM"
  for ((i = 0; i < count; i++)); do
    start_meshmq "node-$((i + 1))" --set "node.id=node-$((i + 1))" --set cluster.enabled=true --set "cluster.name=$name" \
      --set "cluster.members=$members" --set "cluster.port=$((base + i))"
    NODE_PORTS+=("$BROKER_PORT"); NODE_HTTP+=("$BROKER_HTTP"); NODE_PIDS+=("$BROKER_PID")
  done
  for ((i = 0; i < count; i++)); do
    for _ in $(seq 1 150); do
      [[ $(meshmq_metric "${NODE_HTTP[$i]}" meshmq_cluster_members) == "$count" ]] && continue 2
      sleep 0.2
    done
    log "node-$((i + 1)) does not count $count members; see $OUT_DIR/node-*.log"; return 1
  done
}

stop_cluster() {
  local i
  for ((i = ${#NODE_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${NODE_PIDS[$i]}"; done
}

# --- results ---------------------------------------------------------------------------------------------------
record() { # KEY BROKER ROUND JSON [EXTRA_JSON]
  jq -c --arg key "$1" --arg broker "$2" --argjson round "$3" --argjson extra "${5:-"{}"}" \
    '. + {key: $key, broker: $broker, round: $round} + $extra' <<<"$4" | tee -a "$RESULTS"
}

# Runs a harness command and prints its JSON line, or {"failed":true} when it fails or outlives BENCH_TIME_LIMIT
# seconds (default 600); its stderr goes to harness.err.
harness_json() { # COMMAND...
  local line
  if line=$(timeout -k 10 "${BENCH_TIME_LIMIT:-600}" "$@" 2>>"$OUT_DIR/harness.err"); then
    echo "$line"
  else
    echo '{"failed":true}'
  fi
}
