#pragma once
// Per-channel normalisation constants: the tensors fed to a network are (pixel / 255 - mean) / std.
#include <array>

namespace advbn::data {

struct Normalization {
  std::array<float, 3> mean;  // R, G, B, on the [0, 1] scale
  std::array<float, 3> std;
};

// The ImageNet statistics every torchvision model was trained with.
Normalization imagenet_normalization();

}  // namespace advbn::data
