#!/usr/bin/env bash
# Stops the nodes started by start-local.sh: SIGTERM to exactly the PIDs in PID_FILE (graceful stop), then
# SIGKILL to any still alive after GRACE seconds (default 40).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PID_FILE="${PID_FILE:-$ROOT/load-tests/target/local-nodes.pids}"
GRACE="${GRACE:-40}"
if [[ ! -s "$PID_FILE" ]]; then
  echo "no PID file $PID_FILE: nothing to stop"
  exit 0
fi
pids=$(cat "$PID_FILE")
for pid in $pids; do
  kill -TERM "$pid" 2>/dev/null && echo "SIGTERM $pid"
done
deadline=$((SECONDS + GRACE))
for pid in $pids; do
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null && echo "SIGKILL $pid (still alive after ${GRACE} s)"
  fi
done
rm -f "$PID_FILE"
echo "stopped"
