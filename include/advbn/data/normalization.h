#pragma once
// Per-channel normalisation constants: the tensors fed to a network are (pixel / 255 - mean) / std.
#include <array>

namespace advbn::data {

struct Normalization {
  std::array<float, 3> mean;  // R, G, B, on the [0, 1] scale
  std::array<float, 3> std;
};

// The ImageNet statistics every torchvision model was trained with.
inline Normalization imagenet_normalization() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }

inline bool operator==(const Normalization& a, const Normalization& b) { return a.mean == b.mean && a.std == b.std; }
inline bool operator!=(const Normalization& a, const Normalization& b) { return !(a == b); }

}  // namespace advbn::data
