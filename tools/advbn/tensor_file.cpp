#include "advbn/tensor_file.h"

#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/io/safetensors.h"

namespace advbn::cli {

namespace {
torch::Tensor find_tensor(const std::string& path, const std::string& name) {
  for (auto& [key, tensor] : io::read_safetensors(path)) {
    if (key == name) return tensor;
  }
  throw Error(path + ": no tensor named '" + name + "'");
}
}  // namespace

torch::Tensor read_image_batch(const std::string& path) {
  auto images = find_tensor(path, "images");
  if (images.dim() != 4 || images.size(1) != 3 || images.scalar_type() != torch::kFloat) {
    throw Error(path + ": `images` must be N×3×H×W float32");
  }
  return images;
}

torch::Tensor read_labels(const std::string& path, int64_t batch_size, int64_t num_classes) {
  auto labels = find_tensor(path, "labels");
  if (labels.dim() != 1 || labels.size(0) != batch_size || labels.scalar_type() != torch::kLong) {
    throw Error(path + ": `labels` must be " + std::to_string(batch_size) + " int64 values");
  }
  if (labels.numel() > 0 && (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= num_classes)) {
    throw Error(path + ": `labels` must lie in [0, " + std::to_string(num_classes) + ")");
  }
  return labels;
}

}  // namespace advbn::cli
