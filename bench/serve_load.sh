#!/usr/bin/env bash
# Load on `migsched serve` over loopback (issue 11's performance figures):
#   1. a 10,000-GPU fleet (1,250 fake nodes x 8 H100-80GB) registers through
#      the agents' inventory endpoint;
#   2. wrk drives submit+release pairs (bench/serve_load.lua), every
#      acknowledgement durable, with group commit and with one commit per
#      request (--max-batch 1), for synchronous=FULL and NORMAL;
#   3. a store with 1,000,000 jobs: how long until a restarted server answers.
# Usage: bash bench/serve_load.sh [seconds per run, default 10] (Debian: wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
m=$PWD/build/release/migsched
command -v wrk > /dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
[ -x "$m" ] || bash scripts/build.sh release
work=$(mktemp -d /tmp/migsched-load.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=18470

start_server() {  # state-dir extra-args...
  local state=$1; shift
  "$m" serve --listen 127.0.0.1:$port --state "$state" --agent-timeout 86400 --threads 128 "$@" > "$state.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/healthz > /dev/null && return; sleep 0.05; done
  echo "server did not start:"; cat "$state.log"; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

register_fleet() {  # nodes
  local token gpus
  token=$(cat "$1/token")
  gpus='{"index":0,"model":"H100-80GB","mig_enabled":true}'
  for i in 1 2 3 4 5 6 7; do gpus+=',{"index":'$i',"model":"H100-80GB","mig_enabled":true}'; done
  for n in $(seq 1 1250); do
    printf '{"node":"fake-%04d","gpus":[%s]}' "$n" "$gpus" > "$work/inv.json"
    curl -sf -o /dev/null -H "Authorization: Bearer $token" --data-binary @"$work/inv.json" \
      "http://127.0.0.1:$port/v1/agents/fake-$(printf %04d "$n")/inventory"
  done
}

run() {  # label extra-serve-args...
  local label=$1; shift
  local state=$work/state-$RANDOM
  start_server "$state" "$@"
  local t0=$SECONDS
  register_fleet "$state"
  local registered=$((SECONDS - t0))
  printf '%-34s ' "$label"
  wrk -t2 -c64 -d"${secs}s" --latency -s bench/serve_load.lua "http://127.0.0.1:$port" -- "$(cat "$state/token")" \
    | grep '^requests'
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^migsched_store_commit_requests_(sum|count)' | tr '\n' ' '
  echo " (fleet of 10,000 GPUs registered in ${registered}s)"
  stop_server
}

echo "== submit+release over loopback, 10,000 GPUs, wrk -t2 -c64 -d${secs}s"
run "group commit, synchronous=FULL"
run "group commit, synchronous=NORMAL" --sync-normal
run "one commit per request, FULL" --max-batch 1
run "one commit per request, NORMAL" --sync-normal --max-batch 1

echo "== restart with 1,000,000 jobs in the store"
"$PWD/build/release/bench/serve_restart_bench" "$work/big" 1000000
t0=$(date +%s%N)
start_server "$work/big"
echo "serving again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the start ($(grep -o 'ready in [^)]*' "$work/big.log"))"
stop_server
