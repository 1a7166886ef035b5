#!/usr/bin/env bash
# Side-by-side benchmark: Arcanum (release build) and OpenBao (`bao server -dev`, the
# reference from PyPI) in one run, on loopback only, each load bounded by time.
#
#   bash bench/compare.sh [seconds-per-endpoint]     (default 10)
#
# Prints requests/second and p99 latency per endpoint for both, the ratio, and each
# server's resident memory idle and after the load.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-10}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
ARCANUM=$TARGET_DIR/release/arcanum
A_ADDR=127.0.0.1:18200
B_ADDR=127.0.0.1:18300
TOKEN=bench-root

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v bao >/dev/null || { echo "bao is needed: make setup" >&2; exit 1; }
[ -x "$ARCANUM" ] || { echo "build first: make release" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() { kill "$A_PID" "$B_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

ARCANUM_LOG=warn "$ARCANUM" server --dev --dev-root-token-id "$TOKEN" --dev-listen-address "$A_ADDR" >"$tmp/a.log" 2>&1 &
A_PID=$!
bao server -dev -dev-root-token-id="$TOKEN" -dev-listen-address="$B_ADDR" -log-level=error >"$tmp/b.log" 2>&1 &
B_PID=$!
# `bao` is a Python launcher; the server is its child process.
for _ in $(seq 100); do
  curl -sf "http://$A_ADDR/v1/sys/health" >/dev/null && curl -sf "http://$B_ADDR/v1/sys/health" >/dev/null && break
  sleep 0.1
done
B_SERVER_PID=$(pgrep -P "$B_PID" -f "server -dev" || echo "$B_PID")

rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }

# wrk prints "Requests/sec: N" and, with --latency, a "99%" line.
run() { # addr path
  wrk -t2 -c16 -d"${DURATION}s" --latency -H "X-Vault-Token: $TOKEN" "http://$1$2" >"$tmp/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$tmp/wrk.txt")
  echo "$rps $p99"
}

printf '%-24s %14s %10s %14s %10s %8s\n' endpoint "arcanum req/s" p99 "openbao req/s" p99 ratio
A_IDLE=$(rss_kb "$A_PID"); B_IDLE=$(rss_kb "$B_SERVER_PID")
for path in /v1/sys/health /v1/sys/seal-status /v1/sys/key-status; do
  read -r a_rps a_p99 < <(run "$A_ADDR" "$path")
  read -r b_rps b_p99 < <(run "$B_ADDR" "$path")
  ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-24s %14s %10s %14s %10s %8s\n' "$path" "$a_rps" "$a_p99" "$b_rps" "$b_p99" "$ratio"
done
printf '\nresident memory (KiB)    %14s %25s\n' arcanum openbao
printf '%-24s %14s %25s\n' idle "$A_IDLE" "$B_IDLE"
printf '%-24s %14s %25s\n' "after load" "$(rss_kb "$A_PID")" "$(rss_kb "$B_SERVER_PID")"
