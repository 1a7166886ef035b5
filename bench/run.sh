#!/usr/bin/env bash
# Side-by-side benchmark: Arcanum (release build, SQLite file with full fsync) against
# OpenBao 2.7.2 in dev mode (in memory) and on raft (durable), in one run, on loopback,
# each load bounded by time. Prints ops/s, p50, p99 and resident memory, with ratios.
#
#   bash bench/run.sh [seconds-per-load]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
ARCANUM=$TARGET_DIR/release/arcanum
TOKEN=bench-root
A=127.0.0.1:18200   # arcanum
D=127.0.0.1:18300   # openbao dev (in memory)
R=127.0.0.1:18400   # openbao raft

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v bao >/dev/null || { echo "bao is needed: make setup" >&2; exit 1; }
[ -x "$ARCANUM" ] || { echo "build first: make release" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

wait_up() { for _ in $(seq 200); do curl -s -o /dev/null "http://$1/v1/sys/health" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
# `bao` is a Python launcher; the server is its child.
server_pid() { pgrep -P "$1" | head -1 || echo "$1"; }
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
api() { curl -sf -H "X-Vault-Token: $2" "${@:3}" "http://$1/v1/$4"; }

ARCANUM_LOG=warn "$ARCANUM" server --dev --dev-root-token-id "$TOKEN" --dev-listen-address "$A" >"$tmp/a.log" 2>&1 &
pids+=($!); A_PID=$!
# OpenBao 2 enables audit devices through the API only when the config allows it.
echo 'unsafe_allow_api_audit_creation = true' >"$tmp/dev-extra.hcl"
bao server -dev -dev-root-token-id="$TOKEN" -dev-listen-address="$D" -config="$tmp/dev-extra.hcl" \
  -log-level=error >"$tmp/d.log" 2>&1 &
pids+=($!); D_PID=$!
mkdir -p "$tmp/raft"
cat >"$tmp/raft.hcl" <<HCL
storage "raft" {
  path    = "$tmp/raft"
  node_id = "bench"
}
listener "tcp" {
  address     = "$R"
  tls_disable = true
}
api_addr      = "http://$R"
cluster_addr  = "http://127.0.0.1:18401"
disable_mlock = true
HCL
bao server -config="$tmp/raft.hcl" -log-level=error >"$tmp/r.log" 2>&1 &
pids+=($!); R_PID=$!
wait_up "$A"; wait_up "$D"; wait_up "$R"

# Raft needs an init, an unseal and a KV v2 mount; retry while it elects itself leader.
init=$(BAO_ADDR="http://$R" bao operator init -key-shares=1 -key-threshold=1 -format=json)
key=$(echo "$init" | python3 -c 'import json,sys; print(json.load(sys.stdin)["unseal_keys_b64"][0])')
RAFT_TOKEN=$(echo "$init" | python3 -c 'import json,sys; print(json.load(sys.stdin)["root_token"])')
BAO_ADDR="http://$R" bao operator unseal "$key" >/dev/null
for _ in $(seq 100); do
  BAO_ADDR="http://$R" BAO_TOKEN="$RAFT_TOKEN" bao secrets enable -path=secret kv-v2 >/dev/null 2>&1 && break
  sleep 0.2
done

sleep 1
A_SRV=$A_PID; D_SRV=$(server_pid "$D_PID"); R_SRV=$(server_pid "$R_PID")
A_IDLE=$(rss_kb "$A_SRV"); D_IDLE=$(rss_kb "$D_SRV"); R_IDLE=$(rss_kb "$R_SRV")

token_of() { case $1 in "$R") echo "$RAFT_TOKEN";; *) echo "$TOKEN";; esac; }
for addr in "$A" "$D" "$R"; do
  curl -sf -o /dev/null -H "X-Vault-Token: $(token_of "$addr")" -H "Content-Type: application/json" \
    -d '{"data":{"username":"app","password":"correct-horse-battery-staple"}}' "http://$addr/v1/secret/data/bench-read"
done

# Print "ops/s p50 p99" from one wrk run.
measure() { # addr path [script]
  local args=(-t2 "-c$CONNECTIONS" "-d${DURATION}s" --latency -H "X-Vault-Token: $(token_of "$1")")
  [ -n "${3:-}" ] && args+=(-s "$3")
  wrk "${args[@]}" "http://$1$2" >"$tmp/wrk.txt"
  awk '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$5} END {print rps, p50, p99, (bad?bad:0)}' "$tmp/wrk.txt"
}

printf '%-22s %-8s %12s %10s %10s %9s\n' load server "ops/s" p50 p99 "vs arcanum"
report() { # load addr-name rps p50 p99 base errors
  local ratio; ratio=$(awk -v a="$6" -v b="$3" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
  printf '%-22s %-8s %12s %10s %10s %9s%s\n' "$1" "$2" "$3" "$4" "$5" "$ratio" "$( [ "$7" != 0 ] && echo "  ($7 not 2xx)")"
}
for load in health kv-read kv-write; do
  case $load in
    health) path=/v1/sys/health; script= ;;
    kv-read) path=/v1/secret/data/bench-read; script= ;;
    kv-write) path=/; script=bench/write.lua ;;
  esac
  read -r a_rps a50 a99 abad < <(measure "$A" "$path" "$script")
  read -r d_rps d50 d99 dbad < <(measure "$D" "$path" "$script")
  read -r r_rps r50 r99 rbad < <(measure "$R" "$path" "$script")
  [ "$load" = kv-read ] && { A_READ=$a_rps; D_READ=$d_rps; }
  report "$load" arcanum "$a_rps" "$a50" "$a99" "$a_rps" "$abad"
  report "" bao-dev "$d_rps" "$d50" "$d99" "$a_rps" "$dbad"
  report "" bao-raft "$r_rps" "$r50" "$r99" "$a_rps" "$rbad"
done

# The price of auditing: KV reads again with a file audit device on each server.
for addr in "$A" "$D"; do
  curl -sf -o /dev/null -X PUT -H "X-Vault-Token: $TOKEN" -H "Content-Type: application/json" \
    -d "{\"type\":\"file\",\"options\":{\"file_path\":\"$tmp/audit-${addr##*:}.log\"}}" "http://$addr/v1/sys/audit/file"
done
read -r a_rps a50 a99 abad < <(measure "$A" /v1/secret/data/bench-read)
read -r d_rps d50 d99 dbad < <(measure "$D" /v1/secret/data/bench-read)
report "kv-read, file audit" arcanum "$a_rps" "$a50" "$a99" "$a_rps" "$abad"
report "" bao-dev "$d_rps" "$d50" "$d99" "$a_rps" "$dbad"
printf '%-22s arcanum %s, bao-dev %s (ops/s lost to the file audit device)\n' "audit overhead" \
  "$(awk -v w="$a_rps" -v n="$A_READ" 'BEGIN { printf "%.1f%%", (1 - w / n) * 100 }')" \
  "$(awk -v w="$d_rps" -v n="$D_READ" 'BEGIN { printf "%.1f%%", (1 - w / n) * 100 }')"

printf '\n%-22s %12s %12s %12s\n' "resident memory (KiB)" arcanum bao-dev bao-raft
printf '%-22s %12s %12s %12s\n' idle "$A_IDLE" "$D_IDLE" "$R_IDLE"
printf '%-22s %12s %12s %12s\n' "after load" "$(rss_kb "$A_SRV")" "$(rss_kb "$D_SRV")" "$(rss_kb "$R_SRV")"
echo
echo "arcanum stores on SQLite with a full fsync per commit; bao-dev keeps everything in memory; bao-raft fsyncs its log."
echo "'vs arcanum' is arcanum's ops/s divided by that server's (above 1 means arcanum is faster)."
