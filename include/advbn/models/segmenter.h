#pragma once
// What torchvision's segmentation models share: a ResNet backbone under "backbone.*" with layer3
// and layer4 dilated instead of strided (output stride 8; 2 with the small stem), a head under
// "classifier.*" as the last block, and logits upsampled to the image size. FCN (fcn.h) and
// DeepLabV3 (deeplabv3.h) differ only in the head.
#include <torch/types.h>

#include <string>

#include "advbn/models/resnet.h"

namespace advbn {

struct SegmenterOptions {
  int depth = 50;  // of the ResNet backbone: 18, 34, 50, 101 or 152
  int64_t num_classes = 21;
  bool small_stem = false;
  double width = 1.0;
};

// The dilated backbone's options, named `arch`.
ResNetOptions segmentation_backbone(const SegmenterOptions& options, const std::string& arch);

// `x` (N × C × h × w) resized bilinearly (align_corners false, as torchvision) to rows × cols.
torch::Tensor upsample_bilinear(const torch::Tensor& x, int64_t rows, int64_t cols);

// Per-pixel class scores of `images` (N × 3 × H × W) at their own size, N × classes × H × W:
// the network's output upsampled bilinearly (align_corners false), as torchvision's forward.
torch::Tensor segmentation_logits(StagedNetworkImpl& network, const torch::Tensor& images,
                                  BNBranch branch = BNBranch::Clean);

}  // namespace advbn
