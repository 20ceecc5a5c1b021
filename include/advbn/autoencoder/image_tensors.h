#pragma once
// Between uint8 images and the [0, 1] RGB tensors autoencoders work on.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <vector>

#include "advbn/data/normalization.h"

namespace advbn {

// mean 0, std 1: tensors hold pixel / 255.
inline data::Normalization unit_scale() { return {{0, 0, 0}, {1, 1, 1}}; }

// Same-sized CV_8UC1 or CV_8UC3 RGB images → N × 3 × H × W in [0, 1] (gray repeated three
// times). Throws advbn::Error for an empty list or images of different sizes.
torch::Tensor images_to_tensor(const std::vector<cv::Mat>& images);

// Images in [0, 1] (N × 3 × H × W, any device) → the inputs of a network trained with
// `normalization`: (x − mean) / std per channel, differentiable.
torch::Tensor normalise_images(const torch::Tensor& images, const data::Normalization& normalization);

// N × 3 × H × W (any device) → N CV_8UC3 RGB images, values clamped to [0, 1] and rounded.
std::vector<cv::Mat> tensor_to_images(const torch::Tensor& images);

}  // namespace advbn
