#pragma once
// EfficientNet-B0 with torchvision's module names and shapes, so torchvision state dicts load
// unchanged. Blocks follow torchvision's `features`: "features.0" (stem convolution),
// "features.{s}.{i}" (MBConv i of stage s = 1…7), "features.8" (1×1 head convolution), then
// "head" (pooling, dropout, classifier). A stage name ("features.2") cuts after its last MBConv.
// Every block ends in SiLU or a linear projection, so no cut is post-ReLU.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "advbn/models/conv_norm_activation.h"
#include "advbn/models/staged_network.h"

namespace advbn {

struct EfficientNetOptions {
  int64_t num_classes = 1000;
  // Largest stochastic-depth probability, reached by the last MBConv (torchvision: 0.2).
  double stochastic_depth = 0.2;
  double dropout = 0.2;  // before the classifier, in training only
};

// Channel attention: x · sigmoid(fc2(SiLU(fc1(mean over space of x)))).
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

struct MBConvShape {
  int64_t expand_ratio;
  int64_t kernel;
  int64_t stride;
  int64_t in_channels;
  int64_t out_channels;
};

// Inverted residual: [1×1 expansion] → depthwise k×k → squeeze-excitation → 1×1 projection (no
// activation), plus the input when shapes allow, through stochastic depth.
class MBConvImpl : public torch::nn::Module {
 public:
  MBConvImpl(const MBConvShape& shape, double stochastic_depth);
  torch::Tensor forward(const torch::Tensor& x, BNBranch branch);

 private:
  Conv2dNormActivation expand{nullptr}, depthwise{nullptr}, project{nullptr};
  SqueezeExcitation squeeze_excitation{nullptr};
  bool residual_;
  double stochastic_depth_;
};
TORCH_MODULE(MBConv);

class EfficientNetImpl : public StagedNetworkImpl {
 public:
  EfficientNetImpl(const std::string& arch, const EfficientNetOptions& options);

 private:
  Conv2dNormActivation stem{nullptr}, head_conv{nullptr};
  torch::nn::Linear classifier{nullptr};
};

}  // namespace advbn
