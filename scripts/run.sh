#!/usr/bin/env bash
# The main job: install, build, then plan a real-looking fleet (4 DGX H100 +
# 2 DGX A100 80GB, some GPUs already busy) for 16 workloads, compare with
# whole-GPU, NVIDIA's presets and first-fit-decreasing, and write plan.json,
# a mig-parted config, SLURM lines and an SVG picture into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release
m=build/release/migsched
mkdir -p out
printf '\n\033[1m$ migsched plan --fleet examples/plan/fleet.yaml --workloads examples/plan/workloads.yaml ...\033[0m\n'
"$m" plan --fleet examples/plan/fleet.yaml --workloads examples/plan/workloads.yaml \
  --out out/plan.json --mig-parted out/mig-parted.yaml --slurm out/slurm --svg out/fleet.svg
printf '\n\033[1mWritten:\033[0m out/plan.json (for migsched apply --plan), out/mig-parted.yaml,\n'
printf '         out/slurm/{gres.conf,slurm.conf}, out/fleet.svg\n'
printf '\n\033[1m$ sed -n 6,28p out/mig-parted.yaml\033[0m\n'
sed -n 6,28p out/mig-parted.yaml
