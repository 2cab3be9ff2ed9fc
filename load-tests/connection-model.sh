#!/usr/bin/env bash
# Per-connection cost of the two connection models, measured on the running server with real sockets:
# starts the broker jar once per model, opens N idle MQTT connections from the harness (several 127.0.0.x
# source addresses), and prints the harness's JSON line for each (RSS, heap and idle CPU per connection).
# Usage: load-tests/connection-model.sh [CONNECTIONS=10000] [IDLE_SECONDS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
IDLE=${2:-20}
JAR=modules/server/target/meshmq.jar
HARNESS=load-tests/harness/target/harness.jar
[ -f "$JAR" ] && [ -f "$HARNESS" ] || mvn -q -DskipTests package
# The heap pre-touched, so that RSS growth is memory outside the heap (see load-tests/README.md).
JVM_OPTS=${JVM_OPTS:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch"}
for model in ${MODELS:-actor verticle}; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  LOG=$(mktemp)
  # shellcheck disable=SC2086
  java $JVM_OPTS -jar "$JAR" --set listeners.tcp.port="$PORT" --set listeners.connection-model="$model" \
    --set http.port=0 --set sys.interval-seconds=0 --set log.level=warn \
    --set mqtt.max-connect-rate=0 >"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 150); do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
    sleep 0.2
  done
  sleep 2 # let start-up allocation settle before the "before" figures
  java -jar "$HARNESS" "$PORT" "$PID" "$N" 8 "$IDLE" "$model" "${KEEP_ALIVE:-60}" || { cat "$LOG"; kill "$PID"; exit 1; }
  kill "$PID"; wait "$PID" 2>/dev/null || true
  rm -f "$LOG"
done
