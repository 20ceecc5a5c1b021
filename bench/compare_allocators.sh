#!/bin/sh
# The training step on each CPU allocator: the block cache the tool ships (src/memory), LibTorch's
# own allocator over glibc's malloc, and the same over jemalloc and mimalloc from Debian
# (libjemalloc2, libmimalloc2.0; preloaded, skipped when not installed).
#
#   bench/compare_allocators.sh [ADVBN_BINARY] [OUT_DIR]
#
# Environment: RESOLUTION (224), BATCH (16), THREADS (2), REPEATS (5), WARMUP (2).
set -eu
advbn=${1:-build/advbn}
out=${2:-bench-results/allocators}
resolution=${RESOLUTION:-224}
batch=${BATCH:-16}
mkdir -p "$out"
libs=/usr/lib/x86_64-linux-gnu
common="--arch resnet50 --cut conv2_3 --resolution $resolution --batch $batch --steps 6 --threads ${THREADS:-2}
  --repeats ${REPEATS:-5} --warmup ${WARMUP:-2}"

run() {  # name preload flags…
  name=$1 preload=$2
  shift 2
  if [ -n "$preload" ] && [ ! -e "$preload" ]; then
    echo "skipping $name: $preload is not installed" >&2
    return
  fi
  echo "load before $name: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # shellcheck disable=SC2086
  LD_PRELOAD=$preload "$advbn" bench step $common "$@" --json "$out/$name.json" >&2
}

run block_cache ""
run glibc "" --system-allocator
run jemalloc "$libs/libjemalloc.so.2" --system-allocator
run mimalloc "$libs/libmimalloc.so.2" --system-allocator

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print(f"\n{'allocator':14}{'standard s':>12}{'advbn s':>10}{'ratio':>8}{'std peak MiB':>14}{'advbn peak MiB':>16}")
for name in ("block_cache", "glibc", "jemalloc", "mimalloc"):
    path = f"{out}/{name}.json"
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    print(f"{name:14}{r['standard_s']:12.3f}{r['advbn_s']:10.3f}{r['ratio']:8.2f}"
          f"{r['standard_peak_mb']:14.1f}{r['advbn_peak_mb']:16.1f}")
PY
