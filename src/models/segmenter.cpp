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

torch::Tensor segmentation_logits(StagedNetworkImpl& network, const torch::Tensor& images, BNBranch branch) {
  const auto logits = network.forward(images, branch);
  return F::interpolate(logits, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{images.size(-2), images.size(-1)})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace advbn
