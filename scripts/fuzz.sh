#!/usr/bin/env bash
# Runs every libFuzzer target in fuzz/ for SECONDS each (default 10), one
# after the other, under ASan + UBSan. Builds the `fuzz` preset (clang) first.
# Each target's corpus grows in build/fuzz/corpus/<target>, seeded from
# fuzz/seeds/<target>/ and the test inputs listed in fuzz/seeds.list; a crash
# or an oracle failure leaves its input in build/fuzz/findings/ and makes the
# script exit 1 after the other targets have run. Extra arguments go to every
# target (e.g. -jobs=2 -workers=2).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j"${MIGSCHED_BUILD_JOBS:-2}"
findings=build/fuzz/findings
mkdir -p "$findings"
failed=()
for fuzzer in build/fuzz/fuzz/*_fuzzer; do
  target=$(basename "$fuzzer" _fuzzer)
  corpus=build/fuzz/corpus/$target
  mkdir -p "$corpus"
  if [ -d "fuzz/seeds/$target" ]; then cp -n "fuzz/seeds/$target"/* "$corpus"/; fi
  grep -v '^#' fuzz/seeds.list | while read -r name file; do
    if [ "$name" = "$target" ]; then cp -n "$file" "$corpus/"; fi
  done
  echo "== $target ($seconds s)"
  # -max_len bounds inputs to what the parsers' short paths need; the
  # timeout flags a hang (a parser loops on some input) as a finding, with
  # room for a loaded machine (one input takes milliseconds).
  if ! "$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$findings/$target-" "$@" "$corpus" \
      > "build/fuzz/$target.log" 2>&1; then
    failed+=("$target")
    tail -n 40 "build/fuzz/$target.log"
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "build/fuzz/$target.log" | tail -n 1 || true
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $findings)" >&2
  exit 1
fi
echo "fuzzing: no findings"
