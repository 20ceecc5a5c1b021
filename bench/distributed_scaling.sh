#!/bin/sh
# Scaling of data-parallel training on this machine: the same AdvBN fine-tuning epoch on
# Fashion-MNIST with 1 and with 2 ranks (Gloo over loopback, one compute thread per rank),
# started by torchrun --no_python, and the throughput of each side by side.
#
#   bench/distributed_scaling.sh [ADVBN_BINARY] [OUT_DIR]
#
# Environment: IMAGES (training images per epoch, 6144), BATCH (global batch, 128),
# METHOD (advbn), SYNC (extra flags, e.g. "--sync-bn --sync-adv-stats"), TORCHRUN (/usr/bin/torchrun).
set -eu
advbn=$(realpath "${1:-build/advbn}")
out=${2:-bench-results/scaling}
images=${IMAGES:-6144}
batch=${BATCH:-128}
method=${METHOD:-advbn}
sync=${SYNC:-}
torchrun=${TORCHRUN:-/usr/bin/torchrun}
data=/usr/share/datasets/fashion-mnist
mkdir -p "$out"

common="--arch resnet18 --stem small --width 0.25 --data $data --limit $images --val-fraction 0 --seed 0"
if [ ! -f "$out/pretrained/last.safetensors" ]; then
  echo "pretraining a starting point ($images images, 1 epoch)" >&2
  # shellcheck disable=SC2086
  "$advbn" train --from-scratch $common --epochs 1 --batch 128 --lr 0.05 --out "$out/pretrained" --threads 2 >&2
fi

run() {  # ranks
  rm -rf "$out/ranks$1"
  echo "load before $1 rank(s): $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # shellcheck disable=SC2086
  # Debian's torchrun 1.13 under Python 3.11 cannot parse "0" (or "3") for --redirects/--tee;
  # stdout to files and stderr (advbn's log) to the console works.
  OMP_NUM_THREADS=1 "$torchrun" --standalone --nnodes 1 --nproc_per_node "$1" --redirects 1 --tee 2 \
    --log_dir "$out/torchrun" --no_python \
    "$advbn" train --distributed --method "$method" $common $sync --weights "$out/pretrained/last.safetensors" \
    --cut layer1 --epochs 1 --batch "$batch" --lr 0.01 --threads 1 --workers 1 --out "$out/ranks$1" >&2
  sed -n 's/.*"images_per_second":\([0-9.e+]*\).*/\1/p' "$out/ranks$1/metrics.jsonl" | tail -n 1
}

one=$(run 1)
two=$(run 2)
printf '\n%-8s %14s %9s %11s\n' ranks "images/s" speedup efficiency
printf '%-8s %14.1f %9.2f %10.0f%%\n' 1 "$one" 1 100
awk -v a="$one" -v b="$two" 'BEGIN { printf "%-8s %14.1f %9.2f %10.0f%%\n", 2, b, b / a, 50 * b / a }'
