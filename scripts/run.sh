#!/usr/bin/env bash
# The main job: install, build, then plan a real-looking fleet (4 DGX H100 +
# 2 DGX A100 80GB, some GPUs already busy) for 16 workloads, compare with
# whole-GPU, NVIDIA's presets and first-fit-decreasing, and write plan.json,
# a mig-parted config, SLURM lines and an SVG picture into out/. Then apply
# the plan for one node on a fake NVML machine and check it, and replay a
# synthetic trace through every scheduling policy (out/sim.html).
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
printf '\n\033[1m$ sed -n 1,28p out/mig-parted.yaml\033[0m\n'
sed -n 1,28p out/mig-parted.yaml

# Apply the plan for one node on a fake NVML machine (docs/fake-nvml.md): the
# node's GPUs, as plan.json lists them, start with MIG on and no instances;
# `apply --plan` creates the planned layout through the real NVML code path;
# `assert` checks it against the planner's mig-parted config for that node.
node=dgx-h100-3
gpus=$(awk -v node="$node" '
  /"node":/  { n = $2; gsub(/[",]/, "", n) }
  /"model":/ { m = $2; gsub(/[",]/, "", m)
               if (n == node) { if (!(m in count)) order[++k] = m; count[m]++ } }
  END { for (i = 1; i <= k; i++) printf "%s%s:%d", (i > 1 ? "," : ""), order[i], count[order[i]] }' out/plan.json)
config=$(awk -v node="$node" '
  /^# [^ ]+: / { name = $2; sub(/:$/, "", name); list = $0; sub(/^# [^ ]+: /, "", list)
                 if (("," list ",") ~ ("[ ,]" node ",")) { print name; exit } }' out/mig-parted.yaml)
rm -f out/node.json out/agent.journal
export MIGSCHED_NVML_LIBRARY=$PWD/build/release/libmigsched-fake-nvml.so
export MIGSCHED_FAKE_NVML_STATE=$PWD/out/node.json
printf '\n\033[1m$ migsched fake-nvml init --state out/node.json --gpus %s\033[0m\n' "$gpus"
"$m" fake-nvml init --state out/node.json --gpus "$gpus"
printf '\n\033[1m$ migsched apply --plan out/plan.json --node %s\033[0m   (fake NVML)\n' "$node"
"$m" apply --plan out/plan.json --node "$node" --journal out/agent.journal > out/apply.txt
sed -n 1,5p out/apply.txt
printf '  ... (all of it in out/apply.txt)\n'
printf '\n\033[1m$ migsched assert -f out/mig-parted.yaml -c %s\033[0m\n' "$config"
"$m" assert -f out/mig-parted.yaml -c "$config"
printf '\n\033[1m$ migsched export > out/node-now.yaml; sed -n 1,16p out/node-now.yaml\033[0m\n'
"$m" export > out/node-now.yaml
sed -n 1,16p out/node-now.yaml
unset MIGSCHED_NVML_LIBRARY MIGSCHED_FAKE_NVML_STATE

# Replay a synthetic inference trace through every scheduling policy.
printf '\n\033[1m$ migsched simulate --trace synthetic:jobs=5000,rate=2 --fleet H100-80GB:64 --policy all --report out/sim.html\033[0m\n'
"$m" simulate --trace synthetic:jobs=5000,rate=2 --fleet H100-80GB:64 --policy all --report out/sim.html
printf '\n\033[1mWritten:\033[0m out/node.json (the fake machine), out/apply.txt, out/node-now.yaml, out/sim.html (simulation report)\n'
