#!/bin/sh
# Side by side: the library's training step (`advbn bench step`) and the PyTorch reference
# (bench/reference_step.py) on the same machine, same threads, ResNet-50 cut at conv2_3, m = 6.
#
#   bench/compare_step.sh [ADVBN_BINARY] [OUT_DIR]
#
# Environment: THREADS (2), REPEATS (5), WARMUP (2), PYTHON (/usr/bin/python3, with torch);
# ADVBN_FLAGS: more options for `advbn bench step` (e.g. "--attack-bf16"), the reference unchanged.
# Each configuration writes OUT_DIR/{advbn,reference}_<resolution>_<batch>.json.
set -eu
here=$(dirname "$0")
advbn=${1:-build/advbn}
out=${2:-bench-results}
threads=${THREADS:-2}
repeats=${REPEATS:-5}
warmup=${WARMUP:-2}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"

run_config() {  # resolution batch
  common="--resolution $1 --batch $2 --steps 6 --threads $threads --repeats $repeats --warmup $warmup"
  echo "load before ${1}x$1 batch $2: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # shellcheck disable=SC2086
  "$advbn" bench step --arch resnet50 --cut conv2_3 $common ${ADVBN_FLAGS:-} --json "$out/advbn_$1_$2.json" >&2
  # shellcheck disable=SC2086
  "$python" "$here/reference_step.py" $common --json "$out/reference_$1_$2.json" >&2
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

run_config 64 32
run_config 224 16

"$python" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [("standard s/step", "standard_s"), ("advbn s/step", "advbn_s"), ("advbn/standard", "ratio"),
        ("standard CPU s/step", "standard_cpu_s"), ("advbn CPU s/step", "advbn_cpu_s"),
        ("standard peak MiB", "standard_peak_mb"), ("advbn peak MiB", "advbn_peak_mb"),
        ("advbn/standard peak", "peak_ratio")]
for resolution, batch in ((64, 32), (224, 16)):
    ours = json.load(open(f"{out}/advbn_{resolution}_{batch}.json"))
    ref = json.load(open(f"{out}/reference_{resolution}_{batch}.json"))
    print(f"\nResNet-50 {resolution}x{resolution} batch {batch} m=6 threads {ours['threads']}")
    print(f"{'':22}{'advbn (C++)':>13}{'PyTorch':>13}{'PyTorch/C++':>13}")
    for label, key in rows:
        print(f"{label:22}{ours[key]:13.3f}{ref[key]:13.3f}{ref[key] / ours[key]:13.2f}")
    for method in ("standard", "advbn"):
        print(f"  {method} step by phase, median s")
        ours_phases = {p["phase"]: p["seconds"] for p in ours[method + "_phases"]}
        ref_phases = {p["phase"]: p["seconds"] for p in ref[method + "_phases"]}
        names = list(ours_phases) + [p for p in ref_phases if p not in ours_phases]
        for name in names:
            cells = [f"{table[name]:13.3f}" if name in table else f"{'':13}" for table in (ours_phases, ref_phases)]
            print(f"  {name:26}{cells[0]}{cells[1]}")
PY
