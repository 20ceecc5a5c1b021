#pragma once
// torchvision's Conv2dNormActivation with a dual BN: "0" convolution (no bias), "1" BN, then an
// optional activation, so that "features.0.1.running_var" names the same tensor as in torchvision.
#include <torch/nn/modules/conv.h>

#include "advbn/core/dual_batch_norm.h"
#include "advbn/models/torchvision_layers.h"

namespace advbn {

enum class Activation { None, SiLU };

class Conv2dNormActivationImpl : public torch::nn::Module {
 public:
  Conv2dNormActivationImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                           Activation activation, ConvShape shape = {});
  torch::Tensor forward(const torch::Tensor& x, BNBranch branch);

 private:
  torch::nn::Conv2d conv{nullptr};
  DualBatchNorm2d norm{nullptr};
  Activation activation_;
};
TORCH_MODULE(Conv2dNormActivation);

}  // namespace advbn
