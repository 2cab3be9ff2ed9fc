#!/usr/bin/env bash
# Installs what BrowserWebSocketTest needs, and prints the chromium to use on its last line:
#  - Debian's chromium package (apt-get, when run as root and chromium is missing);
#  - MQTT.js and playwright-core from npm, at the versions of package-lock.json, into DIR
#    (default ~/.cache/meshmq/browser-test; skipped when DIR already holds exactly these versions).
# Exit status non-zero: something could not be installed (the test is then reported as skipped, with this output).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$HOME/.cache/meshmq/browser-test}"

chromium_path() { command -v chromium || command -v chromium-browser || true; }

if [ -z "$(chromium_path)" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
    echo "chromium is not installed and cannot be installed here (needs root and apt-get): apt-get install chromium" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q chromium > /dev/null; }
fi
command -v npm > /dev/null || { echo "npm is not installed (apt-get install npm, or Node.js 18+)" >&2; exit 2; }

mkdir -p "$dir"
if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" || [ ! -d "$dir/node_modules/mqtt/dist" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
fi
chromium_path
