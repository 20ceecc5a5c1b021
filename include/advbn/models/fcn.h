#pragma once
// torchvision's FCN-ResNet-50 for semantic segmentation, with its module names ("backbone.*",
// "classifier.*"), so `fcn_resnet50` .pth files load unchanged: ResNet-50 with layer3 and layer4
// dilated (output stride 8) and the FCN head (3×3 convolution to 512, BN, ReLU, dropout 0.1, 1×1
// convolution to the classes). Its blocks are the backbone's ("stem", "layer1.0", …, "layer4.2")
// and "classifier"; the network's output is the head's stride-8 logits, which
// segmentation_logits() upsamples to the image size as torchvision's forward does.
#include <torch/nn/modules/conv.h>

#include "advbn/models/resnet.h"

namespace advbn {

class FCNImpl : public ResNetImpl {
 public:
  explicit FCNImpl(int64_t num_classes);

 private:
  torch::nn::Conv2d head_conv_{nullptr}, classes_conv_{nullptr};
  DualBatchNorm2d head_bn_{nullptr};
};

// Per-pixel class scores of `images` (N × 3 × H × W) at their own size, N × classes × H × W:
// the network's output upsampled bilinearly (align_corners false), as torchvision's forward.
torch::Tensor segmentation_logits(StagedNetworkImpl& network, const torch::Tensor& images,
                                  BNBranch branch = BNBranch::Clean);

}  // namespace advbn
