#!/usr/bin/env bash
# Installs every Debian package that advbn's build, tests and demo need. Idempotent.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libgloo-dev
  libopencv-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev zlib1g-dev libyaml-cpp-dev
  python3-torch python3-torchvision python3-numpy
  # the Python package (python/) and its tests
  python3-dev pybind11-dev python3-pybind11 python3-pytest
  dataset-fashion-mnist
  # the demo's style images (Stylized-Fashion-MNIST): the textures in /usr/share/backgrounds/gnome
  gnome-backgrounds
  gnuplot-nox
  # scripts/fuzz.sh: clang, its libFuzzer and sanitizer runtimes, llvm-symbolizer for reports
  clang libclang-rt-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "setup: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
