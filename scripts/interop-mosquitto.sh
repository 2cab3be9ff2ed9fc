#!/usr/bin/env bash
# Interoperability check with Debian's Mosquitto command-line clients (mosquitto_pub / mosquitto_sub):
# QoS 0/1/2 in both protocol versions, retained messages and the last will, against a broker built from
# this repository. Prints one line per check and "N passed, N failed" at the end; exits non-zero on failure.
# If the clients are missing and cannot be installed, prints SKIPPED and exits 0 (never counted as passed).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v mosquitto_pub >/dev/null || ! command -v mosquitto_sub >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing mosquitto-clients with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto-clients) >/dev/null 2>&1
  fi
fi
if ! command -v mosquitto_pub >/dev/null; then
  echo "SKIPPED: mosquitto_pub/mosquitto_sub not available and could not be installed"
  exit 0
fi

JAR=modules/server/target/meshmq.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
LOG=$(mktemp)
java -jar "$JAR" --set listeners.tcp.port="$PORT" --set http.port=0 --set sys.interval-seconds=0 >"$LOG" 2>&1 &
BROKER=$!
cleanup() { kill "$BROKER" 2>/dev/null; wait "$BROKER" 2>/dev/null; rm -f "$LOG"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q "listening on mqtt" "$LOG" && break
  sleep 0.2
done
grep -q "listening on mqtt" "$LOG" || { echo "broker did not start:"; cat "$LOG"; exit 1; }

passed=0; failed=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1: expected '$2', got '$3'"; failed=$((failed+1)); fi
}
H=(-h 127.0.0.1 -p "$PORT")

for v in mqttv311 mqttv5; do
  for q in 0 1 2; do
    out=$(mktemp)
    timeout 10 mosquitto_sub "${H[@]}" -V $v -q $q -t "interop/$v/q$q" -C 1 -W 8 >"$out" 2>&1 &
    sub=$!
    sleep 0.5  # mosquitto_sub offers no "subscribed" signal to wait on
    mosquitto_pub "${H[@]}" -V $v -q $q -t "interop/$v/q$q" -m "hello-$v-$q"
    wait $sub
    check "$v QoS $q publish/subscribe" "hello-$v-$q" "$(cat "$out")"
    rm -f "$out"
  done
  mosquitto_pub "${H[@]}" -V $v -q 1 -r -t "interop/$v/retained" -m "kept-$v"
  check "$v retained message delivered on subscribe" "kept-$v" \
    "$(timeout 10 mosquitto_sub "${H[@]}" -V $v -t "interop/$v/retained" -C 1 -W 5 2>&1)"
  mosquitto_pub "${H[@]}" -V $v -q 1 -r -t "interop/$v/retained" -n
  check "$v retained message cleared by an empty payload" "" \
    "$(timeout 10 mosquitto_sub "${H[@]}" -V $v -t "interop/$v/retained" -C 1 -W 2 2>/dev/null)"

  out=$(mktemp)
  timeout 15 mosquitto_sub "${H[@]}" -V $v -q 1 -t "interop/$v/will" -C 1 -W 12 >"$out" 2>&1 &
  watcher=$!
  mosquitto_sub "${H[@]}" -V $v -i "will-$v" -t "interop/$v/nothing" --will-topic "interop/$v/will" \
    --will-payload "gone-$v" --will-qos 1 >/dev/null 2>&1 &
  victim=$!
  sleep 1
  kill -9 $victim; wait $victim 2>/dev/null
  wait $watcher
  check "$v last will published on connection loss" "gone-$v" "$(cat "$out")"
  rm -f "$out"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
