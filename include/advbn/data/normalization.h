#pragma once
// Per-channel normalisation constants: the tensors fed to a network are (pixel / 255 - mean) / std.
#include <advbn/data/dataset.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace advbn::data {

struct Normalization {
  std::array<float, 3> mean;  // R, G, B, on the [0, 1] scale
  std::array<float, 3> std;
};

// The ImageNet statistics every torchvision model was trained with.
Normalization imagenet_normalization();

// Per-channel mean and standard deviation (over all pixels) of up to max_images images drawn at
// random (fixed by seed) from the dataset, or all of them when it holds fewer. Grayscale images
// count as three equal channels, so a grayscale dataset gets three equal entries.
// Throws advbn::Error for an empty dataset, max_images == 0, or a constant channel (std == 0).
Normalization estimate_normalization(const Dataset& dataset, size_t max_images, uint64_t seed);

}  // namespace advbn::data
