#include "advbn/autoencoder/image_tensors.h"

#include <torch/torch.h>

#include "advbn/data/transforms.h"
#include "advbn/error.h"

namespace advbn {

torch::Tensor images_to_tensor(const std::vector<cv::Mat>& images) {
  if (images.empty()) throw Error("no images to convert");
  const auto size = images.front().size();
  auto batch = torch::empty({static_cast<int64_t>(images.size()), 3, size.height, size.width});
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].size() != size) {
      throw Error("images of one batch must share a size: " + std::to_string(size.width) + "×" +
                  std::to_string(size.height) + " and " + std::to_string(images[i].cols) + "×" +
                  std::to_string(images[i].rows));
    }
    data::write_normalized(data::grayscale_to_rgb(images[i]), unit_scale(), batch[static_cast<int64_t>(i)].data_ptr<float>());
  }
  return batch;
}

torch::Tensor normalise_images(const torch::Tensor& images, const data::Normalization& normalization) {
  const auto& n = normalization;
  const auto options = images.options();
  const auto mean = torch::tensor(std::vector<float>(n.mean.begin(), n.mean.end()), options).view({1, 3, 1, 1});
  const auto std = torch::tensor(std::vector<float>(n.std.begin(), n.std.end()), options).view({1, 3, 1, 1});
  return (images - mean) / std;
}

std::vector<cv::Mat> tensor_to_images(const torch::Tensor& images) {
  const auto bytes = images.detach().to(torch::kCPU, torch::kFloat).clamp(0, 1).mul(255).round().to(torch::kUInt8)
                         .permute({0, 2, 3, 1}).contiguous();
  std::vector<cv::Mat> out;
  for (int64_t i = 0; i < bytes.size(0); ++i) {
    cv::Mat view(static_cast<int>(bytes.size(1)), static_cast<int>(bytes.size(2)), CV_8UC3, bytes[i].data_ptr<uint8_t>());
    out.push_back(view.clone());
  }
  return out;
}

}  // namespace advbn
