#!/usr/bin/env bash
# Load on `migsched serve` over loopback (issue 11's performance figures):
#   1. a 10,000-GPU fleet (1,250 fake nodes x 8 H100-80GB) registers through
#      the agents' inventory endpoint, once; every run below starts a server
#      on a copy of that store (a restart, so each run sees the same fleet);
#   2. wrk drives submit+release pairs (bench/serve_load.lua), every
#      acknowledgement durable, with group commit and with one commit per
#      request (--max-batch 1), for synchronous=FULL and NORMAL; each line
#      adds the CPU time the server and wrk spent per request (on a machine
#      where wrk shares the cores, req/s <= cores / (server + wrk CPU per request));
#   3. the same wrk on GET /healthz: the HTTP layer's own ceiling;
#   4. the in-process core's rate (sched_bench, batched submit+release);
#   5. a store with 1,000,000 jobs: how long until a restarted server answers.
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
wrk_args=(-t2 -c64 -d"${secs}s" --latency)

start_server() {  # state-dir extra-args...
  local state=$1; shift
  "$m" serve --listen 127.0.0.1:$port --state "$state" --agent-timeout 86400 --threads 128 "$@" > "$state.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/healthz > /dev/null && return; sleep 0.05; done
  echo "server did not start:"; cat "$state.log"; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks

register_fleet() {  # state-dir
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

# wrk with the server's and wrk's CPU time per request appended; sets `rate`.
drive() {  # label wrk-args...
  local label=$1; shift
  local hz t0 t1 requests
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$server_pid")
  TIMEFORMAT='%U %S'
  { time wrk "${wrk_args[@]}" "$@" > "$work/wrk.out"; } 2> "$work/wrk.time"
  t1=$(cpu_ticks "$server_pid")
  requests=$(awk '/ requests in / {print $1; exit}' "$work/wrk.out")
  rate=$(awk '/^Requests\/sec/ {print int($2); exit}' "$work/wrk.out")
  printf '%-34s %s\n%-34s server %.0f us CPU/request, wrk %.0f us CPU/request\n' "$label" \
    "$(grep '^requests ' "$work/wrk.out" || grep '^Requests/sec' "$work/wrk.out")" "" \
    "$(echo "($t1 - $t0) * 1000000 / $hz / $requests" | bc -l)" \
    "$(awk -v n="$requests" '{print ($1 + $2) * 1000000 / n}' "$work/wrk.time")"
}

run() {  # label extra-serve-args...
  local label=$1; shift
  local state=$work/state-$RANDOM
  cp -a "$work/fleet" "$state"
  start_server "$state" "$@"
  drive "$label" -s bench/serve_load.lua "http://127.0.0.1:$port" -- "$(cat "$state/token")"
  printf '%-34s ' ""
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^migsched_store_commit_requests_(sum|count)' | tr '\n' ' '
  echo
  stop_server
  rm -rf "$state"
}

echo "== registering 10,000 GPUs (1,250 nodes)"
start_server "$work/fleet"
t0=$SECONDS
register_fleet "$work/fleet"
echo "registered in $((SECONDS - t0)) s"
stop_server

echo "== submit+release over loopback, 10,000 GPUs, wrk ${wrk_args[*]}"
run "group commit, synchronous=FULL"; full=$rate
run "group commit, synchronous=NORMAL" --sync-normal; normal=$rate
run "one commit per request, FULL" --max-batch 1; one_full=$rate
run "one commit per request, NORMAL" --sync-normal --max-batch 1; one_normal=$rate
echo "group commit buys: $(echo "scale=1; $full / $one_full" | bc)x (FULL), $(echo "scale=1; $normal / $one_normal" | bc)x (NORMAL)"

echo "== the HTTP layer alone: GET /healthz, wrk ${wrk_args[*]}"
cp -a "$work/fleet" "$work/health"
start_server "$work/health"
drive "GET /healthz" "http://127.0.0.1:$port/healthz"
stop_server

echo "== the in-process core (sched_bench, 100,000 GPUs, frag-aware; an event = one release + one submit)"
core_events=$("$PWD/build/release/bench/sched_bench" --benchmark_filter='BM_Batched/frag-aware' \
  --benchmark_min_time=0.5 2>/dev/null | awk '$1 == "frag-aware" {print $5}')
echo "batched core: $core_events events/s = $((core_events * 2)) requests/s per CPU second;" \
  "over HTTP (group commit, FULL): $full requests/s, 1/$(( core_events * 2 / (full > 0 ? full : 1) )) of the core"

echo "== restart with 1,000,000 jobs in the store"
"$PWD/build/release/bench/serve_restart_bench" "$work/big" 1000000
t0=$(date +%s%N)
start_server "$work/big"
echo "serving again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the start ($(grep -o 'ready in [^)]*' "$work/big.log"))"
stop_server
