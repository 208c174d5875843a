#!/usr/bin/env bash
# The main job: install, build, then a tour of migsched on bundled examples —
# the GPUs it knows, a mixed H100 layout with starts found and drawn as SVG,
# and the census of every maximal A100 layout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release
m=build/release/migsched
mkdir -p out
step() { printf '\n\033[1m$ migsched %s\033[0m\n' "$*"; "$m" "$@"; }
step gpus
step profiles H100-80GB
step layout check H100-80GB 3g.40gb 2g.20gb 1g.10gb 1g.10gb
step layout show H100-80GB 3g.40gb 2g.20gb 1g.10gb 1g.10gb --svg out/h100-mixed.svg
step layout check A100-40GB 3g.20gb 3g.20gb 1g.5gb || true
step layout enumerate A100-40GB --profiles 1g.5gb,1g.10gb,2g.10gb,3g.20gb,4g.20gb,7g.40gb
