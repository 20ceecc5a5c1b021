#pragma once
// Named tensors that commands read from safetensors inputs, validated with clear errors.
#include <torch/types.h>

#include <string>

namespace advbn::cli {

// `images`: N×3×H×W float32.
torch::Tensor read_image_batch(const std::string& path);
// `labels`: N int64 values in [0, num_classes), matching `batch_size`.
torch::Tensor read_labels(const std::string& path, int64_t batch_size, int64_t num_classes);

}  // namespace advbn::cli
