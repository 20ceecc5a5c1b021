#pragma once
// torchvision's FCN-ResNet for semantic segmentation, with its module names, so `fcn_resnet50` and
// `fcn_resnet101` .pth files load unchanged (without the auxiliary head): the dilated backbone of
// segmenter.h and the FCN head (3×3 convolution to a quarter of the backbone's channels, BN, ReLU,
// dropout 0.1, 1×1 convolution to the classes) as the block "classifier". ResNet-18/34 backbones,
// the small stem and a width multiplier serve small images.
#include <torch/nn/modules/conv.h>

#include "advbn/models/segmenter.h"

namespace advbn {

class FCNImpl : public ResNetImpl {
 public:
  explicit FCNImpl(const SegmenterOptions& options);

 private:
  torch::nn::Conv2d head_conv_{nullptr}, classes_conv_{nullptr};
  DualBatchNorm2d head_bn_{nullptr};
};

}  // namespace advbn
