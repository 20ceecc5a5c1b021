#include "advbn/models/segmenter.h"

#include <torch/nn/functional/upsampling.h>

namespace advbn {

namespace F = torch::nn::functional;

ResNetOptions segmentation_backbone(const SegmenterOptions& options, const std::string& arch) {
  ResNetOptions backbone;
  backbone.depth = options.depth;
  backbone.small_stem = options.small_stem;
  backbone.width = options.width;
  backbone.dilate = {false, true, true};
  backbone.head = false;
  backbone.container = "backbone";
  backbone.arch = arch;
  return backbone;
}

torch::Tensor upsample_bilinear(const torch::Tensor& x, int64_t rows, int64_t cols) {
  return F::interpolate(
      x, F::InterpolateFuncOptions().size(std::vector<int64_t>{rows, cols}).mode(torch::kBilinear).align_corners(false));
}

torch::Tensor segmentation_logits(StagedNetworkImpl& network, const torch::Tensor& images, BNBranch branch) {
  return upsample_bilinear(network.forward(images, branch), images.size(-2), images.size(-1));
}

}  // namespace advbn
