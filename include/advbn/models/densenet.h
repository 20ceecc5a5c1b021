#pragma once
// DenseNet-121 with torchvision's module names and shapes, so torchvision state dicts load
// unchanged. Every dense layer is a block (a cut may fall inside a dense block): a dense layer's
// block takes the concatenation of all features so far and returns it with its own appended,
// which is what torchvision computes from its list of earlier outputs.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <array>

#include "advbn/models/staged_network.h"

namespace advbn {

struct DenseNetOptions {
  std::array<int, 4> layers_per_block{6, 12, 24, 16};  // DenseNet-121
  int64_t growth_rate = 32;
  int64_t stem_channels = 64;
  int64_t bottleneck_factor = 4;  // torchvision's bn_size: bottleneck width = factor × growth
  int64_t num_classes = 1000;
};

// norm1 → relu1 → conv1 (1×1 bottleneck) → norm2 → relu2 → conv2 (3×3, `growth` new channels).
class DenseLayerImpl : public torch::nn::Module {
 public:
  DenseLayerImpl(int64_t in_channels, int64_t growth_rate, int64_t bottleneck_factor);
  // Returns [x, new features] concatenated along channels.
  torch::Tensor forward(const torch::Tensor& x, BNBranch branch);

 private:
  DualBatchNorm2d norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(DenseLayer);

// norm → relu → conv (1×1, halves the channels) → 2×2 average pool.
class DenseTransitionImpl : public torch::nn::Module {
 public:
  DenseTransitionImpl(int64_t in_channels, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x, BNBranch branch);

 private:
  DualBatchNorm2d norm{nullptr};
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(DenseTransition);

// Blocks: "stem" (features.conv0…pool0), "features.denseblock{b}.denselayer{i}",
// "features.transition{b}" (b = 1…3), "head" (features.norm5, ReLU, pooling, classifier).
// Aliases: "denseblock{b}", "transition{b}"; "transition1" is the authors' default cut (after
// the first dense block and its transition, 128 channels).
class DenseNetImpl : public StagedNetworkImpl {
 public:
  DenseNetImpl(const std::string& arch, const DenseNetOptions& options);

 private:
  torch::nn::Conv2d conv0{nullptr};
  DualBatchNorm2d norm0{nullptr}, norm5{nullptr};
  torch::nn::Linear classifier{nullptr};
};

}  // namespace advbn
