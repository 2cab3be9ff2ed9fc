#!/usr/bin/env bash
# Starts MeshMQ nodes on this machine for the Gatling simulations, from modules/server/target/meshmq.jar.
#
#   load-tests/scripts/start-local.sh            # one node:  MQTT 127.0.0.1:1883, HTTP 8080
#   load-tests/scripts/start-local.sh cluster    # 3 nodes (cluster.enabled=true): MQTT 1883, 1884, 1885; HTTP 8080-8082
#   load-tests/scripts/start-local.sh cluster 5  # N nodes
#
# Environment: BASE_PORT (first MQTT port, default 1883), BASE_HTTP_PORT (default 8080), JVM_OPTS (default
# -Xms256m -Xmx512m), PID_FILE (default load-tests/target/local-nodes.pids), LOG_DIR (default
# load-tests/target/local-nodes), CLUSTER_NAME (default meshmq-loadtest). Waits until every node answers /health/ready, then prints the broker list for
# -Dbrokers=... . Stop them with load-tests/scripts/stop-local.sh (kills exactly the PIDs in PID_FILE).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MODE="${1:-single}"
case "$MODE" in
  single) NODES=1 ;;
  cluster) NODES="${2:-3}" ;;
  *) echo "usage: $0 [single | cluster [N]]" >&2; exit 2 ;;
esac
JAR="$ROOT/modules/server/target/meshmq.jar"
BASE_PORT="${BASE_PORT:-1883}"
BASE_HTTP_PORT="${BASE_HTTP_PORT:-8080}"
JVM_OPTS="${JVM_OPTS:--Xms256m -Xmx512m}"
PID_FILE="${PID_FILE:-$ROOT/load-tests/target/local-nodes.pids}"
LOG_DIR="${LOG_DIR:-$ROOT/load-tests/target/local-nodes}"
# a name of its own, so these nodes never merge with other clusters on the machine (tests, other runs)
CLUSTER_NAME="${CLUSTER_NAME:-meshmq-loadtest}"

if [[ ! -f "$JAR" ]]; then
  echo "missing $JAR: build it with  mvn -q -DskipTests package -pl modules/server -am" >&2
  exit 1
fi
if [[ -s "$PID_FILE" ]]; then
  for pid in $(cat "$PID_FILE"); do
    if kill -0 "$pid" 2>/dev/null; then
      echo "nodes from $PID_FILE still running (pid $pid): run stop-local.sh first" >&2
      exit 1
    fi
  done
fi
mkdir -p "$(dirname "$PID_FILE")" "$LOG_DIR"
: > "$PID_FILE"
# run a copy: a rebuild of the module while the nodes run must not change the jar under them
cp "$JAR" "$LOG_DIR/meshmq.jar"

BROKERS=""
for ((i = 0; i < NODES; i++)); do
  port=$((BASE_PORT + i))
  http=$((BASE_HTTP_PORT + i))
  args=(--set "node.id=node-$((i + 1))" --set "listeners.tcp.port=$port" --set "http.port=$http")
  if [[ "$MODE" == cluster ]]; then
    args+=(--set cluster.enabled=true --set "cluster.name=$CLUSTER_NAME")
  fi
  # shellcheck disable=SC2086
  nohup java $JVM_OPTS -jar "$LOG_DIR/meshmq.jar" "${args[@]}" > "$LOG_DIR/node-$((i + 1)).log" 2>&1 &
  echo $! >> "$PID_FILE"
  BROKERS="${BROKERS:+$BROKERS,}127.0.0.1:$port"
  echo "node-$((i + 1)): pid $!, MQTT 127.0.0.1:$port, HTTP 127.0.0.1:$http, log $LOG_DIR/node-$((i + 1)).log"
done

ready() {
  local http=$1
  if command -v curl > /dev/null; then
    curl -fs "http://127.0.0.1:$http/health/ready" > /dev/null 2>&1
  else
    (exec 3<> "/dev/tcp/127.0.0.1/$http" && printf 'GET /health/ready HTTP/1.0\r\n\r\n' >&3 && head -1 <&3 | grep -q ' 200') 2>/dev/null
  fi
}

deadline=$((SECONDS + 90))
for ((i = 0; i < NODES; i++)); do
  http=$((BASE_HTTP_PORT + i))
  until ready "$http"; do
    pid=$(sed -n "$((i + 1))p" "$PID_FILE")
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "node-$((i + 1)) (pid $pid) exited; see $LOG_DIR/node-$((i + 1)).log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "node-$((i + 1)) not ready after 90 s; see $LOG_DIR/node-$((i + 1)).log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
echo "ready; PIDs in $PID_FILE"
echo "brokers=$BROKERS"
