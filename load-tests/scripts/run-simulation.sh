#!/usr/bin/env bash
# Runs one Gatling simulation of load-tests/gatling against running brokers.
#
#   load-tests/scripts/run-simulation.sh NAME [key=value ...]
#   load-tests/scripts/run-simulation.sh ConnectStorm users=200 ramp=20 duration=10
#   load-tests/scripts/run-simulation.sh TelemetryFanIn brokers=127.0.0.1:1883,127.0.0.1:1884,127.0.0.1:1885 users=100
#
# NAME is a class of io.meshmq.gatling (ConnectStorm, TelemetryFanIn, CommandFanOut, RequestResponse,
# RetainedHeavySubscribe); each key=value becomes a system property (-Dkey=value) of the simulation.
# Exit code: 0 when the run finished and every assertion held, non-zero otherwise.
# The HTML report lands under load-tests/gatling/target/gatling/<name>-<timestamp>/index.html.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ $# -lt 1 ]]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
NAME="$1"
shift
props=()
for arg in "$@"; do
  if [[ "$arg" != *=* ]]; then
    echo "argument '$arg' is not key=value" >&2
    exit 2
  fi
  props+=("-D$arg")
done
cd "$ROOT"
exec mvn -B ${MVN_OPTS_EXTRA:-} -pl load-tests/gatling test-compile gatling:test \
  -Dgatling.simulationClass="io.meshmq.gatling.$NAME" "${props[@]}"
