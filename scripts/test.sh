#!/usr/bin/env bash
# Builds a preset (default: release, warnings as errors) and runs the whole
# test suite: unit, golden CLI and integration tests. `asan` = ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
bash scripts/build.sh "$preset"
ctest --preset "$preset"
