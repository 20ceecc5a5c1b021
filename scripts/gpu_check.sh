#!/usr/bin/env bash
# Checks the GPU path on a machine with NVIDIA GPUs, in one run:
#   1. configures a CUDA build into build-gpu/ against a CUDA LibTorch and builds the tool and tests;
#   2. logits on CPU and GPU (ResNet-18/50, DenseNet-121, EfficientNet-B0; float64 and float32);
#   3. the AdvBN attack on CPU and GPU: the same δ;
#   4. one AdvBN training step timed against a standard one (`advbn bench step --device cuda`);
#   5. with 2 or more GPUs: 2 ranks over NCCL (parameters identical across ranks, equal to one
#      process in float64, and `advbn train` end to end).
# Prints a summary; exits non-zero when a check failed. Logs go to build-gpu/gpu_check/.
#
# LibTorch: CMAKE_PREFIX_PATH when set (e.g. an unpacked libtorch-cxx11-abi-*-cu*.zip), otherwise
# the Python torch's (python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'). It must be
# a CUDA build with the C++11 ABI, as Debian's OpenCV and GoogleTest are; configuring also needs
# the CUDA toolkit (nvcc) that LibTorch's CMake files look for.
#
#   scripts/gpu_check.sh                 # resolution 224, batch 32 for the timed step
#   BENCH_ARGS="--batch 64" scripts/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=build-gpu/gpu_check
mkdir -p "$out"
declare -a summary=()
failed=0
record() {  # record NAME STATUS DETAIL
  summary+=("$(printf '%-28s %-5s %s' "$1" "$2" "$3")")
  [ "$2" = FAIL ] && failed=1
  return 0
}
finish() {
  echo
  echo "== GPU check summary (logs in $out) =="
  printf '%s\n' "${summary[@]}"
  exit "$failed"
}

prefix="${CMAKE_PREFIX_PATH:-}"
if [ -z "$prefix" ]; then
  prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)" || prefix=""
  if [ -n "$prefix" ]; then
    abi="$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
    cuda="$(python3 -c 'import torch; print(torch.version.cuda or "")')"
    if [ "$abi" != 1 ]; then
      record configure FAIL "Python torch at $prefix uses the pre-C++11 ABI; set CMAKE_PREFIX_PATH to a cxx11-abi LibTorch"
      finish
    fi
    if [ -z "$cuda" ]; then
      record configure FAIL "Python torch at $prefix is a CPU build; set CMAKE_PREFIX_PATH to a CUDA LibTorch"
      finish
    fi
  fi
fi
if [ -z "$prefix" ]; then
  record configure FAIL "no LibTorch: set CMAKE_PREFIX_PATH or install a CUDA torch for python3"
  finish
fi
gpus="$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')" || gpus=0
echo "LibTorch: $prefix; GPUs visible: $gpus"

# NCCL only where this LibTorch ships c10d's NCCL backend.
nccl=OFF
IFS=';' read -ra prefixes <<<"$prefix"
for p in "${prefixes[@]}"; do
  if [ -n "$(find "$p/../.." -path '*torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp' -print -quit 2>/dev/null)" ]; then
    nccl=ON
  fi
done

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if ! cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DADVBN_WITH_NCCL="$nccl" -DADVBN_BUILD_BENCH=OFF \
    -DADVBN_BUILD_PYTHON=OFF >"$out/configure.log" 2>&1; then
  record configure FAIL "see $out/configure.log"
  finish
fi
record configure PASS "NCCL $nccl"
if ! cmake --build build-gpu --target advbn_tool advbn_tests advbn_replica_worker -j "$(nproc)" \
    >"$out/build.log" 2>&1; then
  record build FAIL "see $out/build.log"
  finish
fi
record build PASS "build-gpu/advbn, build-gpu/tests/advbn_tests"

run_test() {  # run_test NAME GTEST_NAME
  local log="$out/$1.log"
  build-gpu/tests/advbn_tests --gtest_filter="$2" >"$log" 2>&1
  local rc=$?
  local detail
  detail="$(grep -E 'largest|after [0-9]+ steps' "$log" | tail -n 1)"
  if grep -q '\[  SKIPPED \]' "$log"; then
    record "$1" SKIP "$(grep -m1 -A1 'Skipped' "$log" | tail -n 1 | sed 's/^ *//')"
  elif [ "$rc" -eq 0 ]; then
    record "$1" PASS "$detail"
  else
    record "$1" FAIL "see $log"
  fi
}
run_test logits_cpu_vs_gpu 'Gpu.LogitsMatchTheCpu'
run_test attack_cpu_vs_gpu 'Gpu.AttackFindsTheSameDeltaAsTheCpu'

# shellcheck disable=SC2086  # BENCH_ARGS is a list of flags
if build-gpu/advbn bench step --device cuda --arch resnet50 --cut conv2_3 --resolution 224 \
    --batch 32 --warmup 2 --repeats 5 --json "$out/bench_step.json" ${BENCH_ARGS:-} \
    >"$out/bench_step.log" 2>&1; then
  record advbn_step_timed PASS "$(python3 -c "import json; r = json.load(open('$out/bench_step.json')); print(f\"standard {r['standard_s']:.4f} s, advbn {r['advbn_s']:.4f} s per step (x{r['ratio']:.2f})\")" 2>/dev/null || tail -n 3 "$out/bench_step.log" | tr '\n' ' ')"
else
  record advbn_step_timed FAIL "see $out/bench_step.log"
fi

if [ "$gpus" -ge 2 ] && [ "$nccl" = ON ]; then
  run_test nccl_two_ranks 'Gpu.TwoRanksOverNcclTrainLikeOneProcess'
else
  record nccl_two_ranks SKIP "needs 2 GPUs and a LibTorch with NCCL (GPUs: $gpus, NCCL: $nccl)"
fi
finish
