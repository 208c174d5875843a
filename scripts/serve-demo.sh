#!/usr/bin/env bash
# A live control plane on this machine, no GPUs needed: builds migsched,
# starts `migsched serve` on 127.0.0.1:8470 with three fake-NVML nodes (two
# with 8 x H100-80GB, one with 8 x A100-80GB), each followed by a real
# `migsched agent`, submits a few jobs through the API and prints where the
# dashboard is. Ctrl-C stops everything. State: out/serve/ (delete it to
# start afresh). `--no-wait` submits, shows the result and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release
m=$PWD/build/release/migsched
dir=$PWD/out/serve
mkdir -p "$dir"
port=${MIGSCHED_DEMO_PORT:-8470}
server=http://127.0.0.1:$port
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$m" serve --listen "127.0.0.1:$port" --state "$dir/state" --reconfig-delay 1 > "$dir/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$dir/serve.log" 2>/dev/null && break; sleep 0.1; done
cat "$dir/serve.log"

for node in dgx-h100-1:H100-80GB:8 dgx-h100-2:H100-80GB:8 dgx-a100-1:A100-80GB:8; do
  name=${node%%:*}
  gpus=${node#*:}
  [ -f "$dir/$name.json" ] || "$m" fake-nvml init --state "$dir/$name.json" --gpus "$gpus" > /dev/null
  MIGSCHED_NVML_LIBRARY=$PWD/build/release/libmigsched-fake-nvml.so MIGSCHED_FAKE_NVML_STATE=$dir/$name.json \
    "$m" agent --server "$server" --node "$name" --token-file "$dir/state/token" --journal "$dir/$name.journal" \
    > "$dir/$name.log" 2>&1 &
  pids+=($!)
done

export MIGSCHED_SERVER=$server MIGSCHED_TOKEN_FILE=$dir/state/token
for _ in $(seq 100); do [ "$("$m" --json fleet | grep -c '"name"')" -ge 3 ] && break; sleep 0.1; done
printf '\n\033[1m$ migsched jobs submit ...\033[0m   (idempotent: a second run changes nothing)\n'
"$m" jobs submit --name llama-13b --profile 3g.40gb > /dev/null
"$m" jobs submit --name bert-base --memory-mib 9000 > /dev/null
"$m" jobs submit --name whisper --memory-mib 18000 --tenant speech > /dev/null
"$m" jobs submit --name sdxl --profile 4g.40gb --model A100-80GB > /dev/null
"$m" jobs submit --name llama-70b-ft --gpus 2 --kind training > /dev/null
sleep 1.5
printf '\n\033[1m$ migsched jobs list\033[0m\n'
"$m" jobs list
printf '\n\033[1m$ migsched fleet | head\033[0m\n'
"$m" fleet | head -12
printf '\n\033[1mDashboard:\033[0m http://127.0.0.1:%s/   (logs and state in %s)\n' "$port" "$dir"
if [ "${1:-}" = "--no-wait" ]; then exit 0; fi
printf 'Ctrl-C stops the server and the agents.\n'
wait
