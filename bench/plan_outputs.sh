#!/usr/bin/env bash
# What `migsched plan`'s output files cost beside the solve (issue 17): for each
# scale, the same plan runs twice, without output files and with
# `--out --mig-parted --slurm --svg`; each line gives the seconds and peak
# resident memory (/usr/bin/time -v) of both runs (CPU seconds, user + system:
# wall time on a machine shared with other work says little), the outputs' share
# (with - without) and its ratio to the run without files, and the sizes written.
#   scales: 10,000 GPUs / 50,000 replicas, 100,000 / 500,000, 100,000 / 1,000,000
#   (1,000,000 replicas cannot all fit 100,000 GPUs: the rest are unplaced)
# Fleet: nodes of 8 H100-80GB. Workloads: 100 inference workloads, memory from
# 2 to 36 GiB in a fixed cycle, replicas split evenly.
# Usage: bash bench/plan_outputs.sh [GPUS:REPLICAS ...]
#   MIGSCHED=path/to/migsched   another build (e.g. the one before a change)
#   OUT_FORM=compact            plan.json's compact form (default expanded)
set -euo pipefail
cd "$(dirname "$0")/.."
m=${MIGSCHED:-$PWD/build/release/migsched}
[ -x "$m" ] || bash scripts/build.sh release
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 2; }
work=$(mktemp -d /tmp/migsched-outputs.XXXXXX)
trap 'rm -rf "$work"' EXIT
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(10000:50000 100000:500000 100000:1000000)

make_inputs() {  # gpus replicas dir
  local gpus=$1 replicas=$2 dir=$3
  mkdir -p "$dir"
  printf 'nodes:\n  - {name_prefix: node, count: %d, gpus: [{model: H100-80GB, count: 8}]}\n' \
    $((gpus / 8)) > "$dir/fleet.yaml"
  local memory=(2 4 9 9 14 18 30 36 4 2)
  {
    echo "workloads:"
    for i in $(seq 0 99); do
      printf '  - {name: w-%d, replicas: %d, memory_gib: %d, kind: inference}\n' \
        "$i" $((replicas / 100)) "${memory[i % 10]}"
    done
  } > "$dir/workloads.yaml"
}

measure() {  # args... ; prints "cpu_seconds peak_mib" (user + system: steady on a shared machine)
  local log=$work/time.log
  /usr/bin/time -v "$m" plan "$@" > /dev/null 2> "$log" || [ $? -eq 1 ]  # 1: some unplaced
  local cpu rss
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
  echo "$cpu $rss"
}

printf '%-8s %-9s | %-16s | %-16s | %-8s %-6s | %s\n' GPUS REPLICAS "SOLVE cpu s/MiB" \
  "+OUTPUTS cpu s/MiB" "OUTPUT s" RATIO "FILES (plan.json, mig-parted, slurm.conf, svg)"
for scale in "${scales[@]}"; do
  gpus=${scale%%:*} replicas=${scale##*:}
  dir=$work/$gpus-$replicas
  make_inputs "$gpus" "$replicas" "$dir"
  read -r solve_s solve_mib < <(measure --fleet "$dir/fleet.yaml" --workloads "$dir/workloads.yaml")
  read -r all_s all_mib < <(measure --fleet "$dir/fleet.yaml" --workloads "$dir/workloads.yaml" \
    --out "$dir/plan.json" ${OUT_FORM:+--out-form "$OUT_FORM"} --mig-parted "$dir/mig-parted.yaml" --slurm "$dir" --svg "$dir/fleet.svg")
  sizes=$(du -h "$dir/plan.json" "$dir/mig-parted.yaml" "$dir/slurm.conf" "$dir/fleet.svg" |
          awk '{printf "%s ", $1}')
  printf '%-8s %-9s | %6.2f / %-7s | %6.2f / %-7s | %-8.2f %-6.2f | %s\n' "$gpus" "$replicas" \
    "$solve_s" "$solve_mib" "$all_s" "$all_mib" "$(echo "$all_s - $solve_s" | bc -l)" \
    "$(echo "($all_s - $solve_s) / $solve_s" | bc -l)" "$sizes"
done
