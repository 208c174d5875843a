#!/usr/bin/env bash
# Repartition latency of `migsched serve` (issue 11): how long after the
# configured reconfiguration delay a submitted job that needs a repartition
# becomes `running`, with real `serve` and `agent` processes on a fake-NVML
# node. Node a: 8 x A100-80GB cut all-1g, so each 7g.80gb submitted destroys
# one GPU's seven idle 1g.10gb (a repartition). Then node b joins with 8
# empty GPUs: the same submits are placed without a repartition, the
# baseline (submit -> agent creates the instance -> running).
# Usage: bash bench/serve_repartition_latency.sh [delay seconds, default 0.5]
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${1:-0.5}
build=$PWD/build/release
m=$build/migsched
client=$build/bench/serve_repartition_bench
[ -x "$m" ] && [ -x "$client" ] || bash scripts/build.sh release
work=$(mktemp -d /tmp/migsched-repartition.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=18471
url=http://127.0.0.1:$port
fake="MIGSCHED_NVML_LIBRARY=$build/libmigsched-fake-nvml.so"

"$m" serve --listen 127.0.0.1:$port --state "$work/state" --reconfig-delay "$delay" > "$work/serve.log" 2>&1 &
for _ in $(seq 600); do curl -sf "$url/healthz" > /dev/null && break; sleep 0.05; done

start_agent() {  # node gpus [layout]
  "$m" fake-nvml init --state "$work/$1.json" --gpus "$2" > /dev/null
  if [ -n "${3:-}" ]; then
    printf 'version: v1\nmig-configs:\n  cut:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "%s": 7\n' \
      "$3" > "$work/cut.yaml"
    env "$fake" MIGSCHED_FAKE_NVML_STATE="$work/$1.json" \
      "$m" apply -f "$work/cut.yaml" -c cut --journal "$work/$1-cut.journal" > /dev/null
  fi
  env "$fake" MIGSCHED_FAKE_NVML_STATE="$work/$1.json" "$m" agent --server "$url" --node "$1" \
    --token-file "$work/state/token" --journal "$work/$1.journal" > "$work/$1.log" 2>&1 &
  for _ in $(seq 600); do
    curl -sf -H "Authorization: Bearer $(cat "$work/state/token")" "$url/v1/fleet" | grep -q "\"$1\"" && return
    sleep 0.05
  done
  echo "agent $1 did not join:"; cat "$work/$1.log"; exit 1
}

delay_ms=$(awk -v s="$delay" 'BEGIN { printf "%d", s * 1000 + 0.5 }')
echo "== submit -> running, reconfiguration delay $delay s ($(nproc) cores)"
start_agent node-a A100-80GB:8 1g.10gb
"$client" "$url" "$work/state/token" 7g.80gb repartition 8 "$delay_ms"
start_agent node-b A100-80GB:8
"$client" "$url" "$work/state/token" 7g.80gb placed 8 0
# Where the time goes: each change is acknowledged after its fsync'ed commit.
curl -s "$url/metrics" | grep -E '^migsched_(store_commit|agent_apply)_seconds_(sum|count)' | tr '\n' ' '
echo
