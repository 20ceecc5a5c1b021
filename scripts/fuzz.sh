#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs every campaign for
# SECONDS each (default 60), one after another, then prints each campaign's executions.
# Exits non-zero if any campaign found a crash, leak, timeout or sanitizer report; the input that
# caused it is kept in build-fuzz/artifacts/. What is fuzzed and why: docs/safety.md.
#
# usage: [JOBS=N] scripts/fuzz.sh [SECONDS]
# Set CMAKE_BUILD_PARALLEL_LEVEL to limit build jobs on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build=build-fuzz

if [ ! -f "$build/CMakeCache.txt" ]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  CC=clang CXX=clang++ cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DADVBN_FUZZ=ON -DADVBN_BUILD_TESTS=OFF -DADVBN_BUILD_BENCH=OFF
fi
cmake --build "$build" --target advbn_fuzzers

# Seeds are regenerated on every run; each campaign's own corpus (what the fuzzer found
# interesting) is kept between runs so that later runs start where earlier ones stopped.
rm -rf "$build/corpus/seeds"
/usr/bin/python3 fuzz/make_corpus.py "$build/corpus/seeds"
mkdir -p "$build/artifacts" "$build/logs"

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# campaign:executable
campaigns=(
  pickle:pickle
  zip_archive:zip_archive
  zip_checkpoint:torch_checkpoint
  legacy_checkpoint:torch_checkpoint
  safetensors:safetensors
  idx:idx
  cifar:cifar
  config:config
  image:image
)

# One campaign; its outcome line goes to $build/logs/<campaign>.summary.
run_campaign() {  # campaign executable
  local campaign=$1 executable=$2 log="$build/logs/$1.log" status=0
  mkdir -p "$build/corpus/$campaign"
  "$executable" "$build/corpus/$campaign" "$build/corpus/seeds/$campaign" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -keep_seed=1 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$campaign-" >"$log" 2>&1 || status=$?
  local executions corpus
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  corpus=$(find "$build/corpus/$campaign" -type f | wc -l)
  printf '%-18s %12s executions  %6s corpus files  %s\n' "$campaign" "${executions:-?}" "$corpus" \
    "$([ "$status" -eq 0 ] && echo ok || echo "FAILED (see $log)")" >"$build/logs/$campaign.summary"
}

# JOBS campaigns run at once (default 1): each fuzzer is single-threaded.
jobs_at_once="${JOBS:-1}"
running=0
for entry in "${campaigns[@]}"; do
  campaign="${entry%%:*}"
  echo "fuzz: $campaign for ${seconds}s"
  run_campaign "$campaign" "$build/fuzz/fuzz_${entry#*:}" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs_at_once" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

echo
failed=()
for entry in "${campaigns[@]}"; do
  campaign="${entry%%:*}"
  cat "$build/logs/$campaign.summary"
  grep -q ' ok$' "$build/logs/$campaign.summary" || failed+=("$campaign")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}; inputs in $build/artifacts/" >&2
  exit 1
fi
