#pragma once
// torchvision's DeepLabV3-ResNet for semantic segmentation, with its module names, so
// `deeplabv3_resnet50` and `deeplabv3_resnet101` .pth files load unchanged (without the auxiliary
// head): the dilated backbone of segmenter.h and the DeepLab head as the block "classifier": ASPP
// (a 1×1 branch, 3×3 branches at dilations 12, 24 and 36, and image pooling, each to 256 channels
// with BN and ReLU; concatenated, projected to 256 with BN, ReLU and dropout 0.5), then a 3×3
// convolution with BN and ReLU and a 1×1 convolution to the classes. Every BN has its twin.
#include <torch/nn/modules/conv.h>

#include <array>

#include "advbn/models/segmenter.h"

namespace advbn {

class DeepLabV3Impl : public ResNetImpl {
 public:
  explicit DeepLabV3Impl(const SegmenterOptions& options);

 private:
  torch::Tensor head(const torch::Tensor& x, BNBranch branch);

  // ASPP's five branches (1×1, three dilated 3×3, pooled 1×1) and its projection.
  std::array<torch::nn::Conv2d, 5> branch_convs_{nullptr, nullptr, nullptr, nullptr, nullptr};
  std::array<DualBatchNorm2d, 5> branch_bns_{nullptr, nullptr, nullptr, nullptr, nullptr};
  torch::nn::Conv2d project_conv_{nullptr}, head_conv_{nullptr}, classes_conv_{nullptr};
  DualBatchNorm2d project_bn_{nullptr}, head_bn_{nullptr};
};

}  // namespace advbn
