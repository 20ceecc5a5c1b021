#pragma once
// torchvision's FCN-ResNet for semantic segmentation, with its module names ("backbone.*",
// "classifier.*"), so `fcn_resnet50` and `fcn_resnet101` .pth files load unchanged: the ResNet
// with layer3 and layer4 dilated (output stride 8; 2 with the small stem) and the FCN head (3×3
// convolution to a quarter of the backbone's channels, BN, ReLU, dropout 0.1, 1×1 convolution to
// the classes). ResNet-18/34 backbones, the small stem and a width multiplier serve small images. Its blocks are the backbone's ("stem", "layer1.0", …, "layer4.2")
// and "classifier"; the network's output is the head's stride-8 logits, which
// segmentation_logits() upsamples to the image size as torchvision's forward does.
#include <torch/nn/modules/conv.h>

#include "advbn/models/resnet.h"

namespace advbn {

struct FCNOptions {
  int depth = 50;  // of the ResNet backbone: 18, 34, 50, 101 or 152
  int64_t num_classes = 21;
  bool small_stem = false;
  double width = 1.0;
};

class FCNImpl : public ResNetImpl {
 public:
  explicit FCNImpl(const FCNOptions& options);

 private:
  torch::nn::Conv2d head_conv_{nullptr}, classes_conv_{nullptr};
  DualBatchNorm2d head_bn_{nullptr};
};

// Per-pixel class scores of `images` (N × 3 × H × W) at their own size, N × classes × H × W:
// the network's output upsampled bilinearly (align_corners false), as torchvision's forward.
torch::Tensor segmentation_logits(StagedNetworkImpl& network, const torch::Tensor& images,
                                  BNBranch branch = BNBranch::Clean);

}  // namespace advbn
