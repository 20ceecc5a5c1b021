#!/bin/sh
# Side by side: advbn's training loader (`advbn bench data`) and torchvision's DataLoader
# (bench/reference_loader.py) on the same JPEG folder, with the same number of workers.
#
#   bench/compare_data.sh [ADVBN_BINARY] [OUT_DIR]
#
# Environment: WORKERS (2), BATCH (64), IMAGES (512, for the generated folder), EPOCHS (3: one
# warm-up), PYTHON (/usr/bin/python3, with torch and torchvision).
set -eu
here=$(dirname "$0")
advbn=${1:-build/advbn}
out=${2:-bench-results/data}
workers=${WORKERS:-2}
batch=${BATCH:-64}
images=${IMAGES:-512}
epochs=${EPOCHS:-3}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
folder="$out/jpeg-$images"
[ -d "$folder" ] || "$python" "$here/make_jpeg_folder.py" "$folder" --images "$images"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$advbn" bench data --data "$folder" --workers "$workers" --threads "$workers" --batch "$batch" --epochs "$epochs" \
  --json "$out/advbn.json"
"$python" "$here/reference_loader.py" --data "$folder" --workers "$workers" --batch "$batch" --epochs "$epochs" \
  --json "$out/reference.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$out/advbn.json" "$out/reference.json" <<'PY'
import json, sys
a, r = (json.load(open(p)) for p in sys.argv[1:3])
print("advbn / torchvision: %.2fx images/s" % (a["images_per_second"] / r["images_per_second"]))
PY
