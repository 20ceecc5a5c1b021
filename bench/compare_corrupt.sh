#!/bin/sh
# `corrupt --preset imagenet` on a folder of four 224×224 PNGs (all 75 common variants: 300
# outputs), end to end, by advbn and by advbn-shift (the same command without LibTorch), beside
# the kernel time (advbn_bench_corrupt: one thread, sum of the 75 variants' medians, × 4 images)
# and each program's start-up (--version). ROUNDS rounds, each running every command once; the
# median wall time of each.
#
#   bench/compare_corrupt.sh [BUILD_DIR] [WORK_DIR]       (ROUNDS: 5)
set -eu
build=${1:-build}
work=${2:-/tmp/advbn-corrupt-bench}
rounds=${ROUNDS:-5}
here=$(dirname "$0")
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 "$here/make_png_folder.py" "$work/in"

seconds() {  # command… → wall seconds (the clock runs inside Python, so its start-up is not counted)
  /usr/bin/python3 -c 'import subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(time.perf_counter() - start)' "$@"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/times"
round=1
while [ "$round" -le "$rounds" ]; do
  # The first "all 75" line is the 224×224 figure (the second is 32×32).
  kernel_ms=$("$build/bench/advbn_bench_corrupt" --repeats 9 |
    sed -n 's/^all 75 common variants: *\([0-9.]*\) ms.*/\1/p' | head -n 1)
  echo "kernel $(/usr/bin/python3 -c "print(4 * $kernel_ms / 1000)")" >> "$work/times"
  echo "advbn_start $(seconds "$build/advbn" --version)" >> "$work/times"
  echo "shift_start $(seconds "$build/advbn-shift" --version)" >> "$work/times"
  for threads in 0 1; do
    rm -rf "$work/out_advbn" "$work/out_shift"
    echo "advbn_t$threads $(seconds "$build/advbn" corrupt --in "$work/in" --out "$work/out_advbn" --preset imagenet --threads $threads)" >> "$work/times"
    echo "shift_t$threads $(seconds "$build/advbn-shift" corrupt --in "$work/in" --out "$work/out_shift" --preset imagenet --threads $threads)" >> "$work/times"
    diff -r "$work/out_advbn" "$work/out_shift" > /dev/null || { echo "outputs differ" >&2; exit 1; }
  done
  round=$((round + 1))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$work/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, value = line.split()
    times.setdefault(name, []).append(float(value))
kernel = statistics.median(times["kernel"])
labels = [("kernel", "kernel, 4 × 75 variants, one thread"), ("advbn_start", "advbn --version"),
          ("shift_start", "advbn-shift --version"), ("advbn_t0", "advbn corrupt (all cores)"),
          ("shift_t0", "advbn-shift corrupt (all cores)"), ("advbn_t1", "advbn corrupt --threads 1"),
          ("shift_t1", "advbn-shift corrupt --threads 1")]
print(f"{'':40}{'median s':>10}{'÷ kernel':>10}   each round")
for key, label in labels:
    m = statistics.median(times[key])
    print(f"{label:40}{m:10.3f}{m / kernel:10.2f}   " + ", ".join(f"{v:.3f}" for v in times[key]))
PY
