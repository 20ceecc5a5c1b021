#pragma once
// ResNet-18/34/50/101/152 with torchvision's module names and shapes (v1.5: stride on the 3×3
// convolution of bottlenecks), so torchvision state dicts load unchanged. Options for small
// images: a 3×3 stride-1 stem without max-pool, and a width multiplier on every stage.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "advbn/models/staged_network.h"

namespace advbn {

struct ResNetOptions {
  int depth = 50;              // 18, 34, 50, 101 or 152
  int64_t num_classes = 1000;
  bool small_stem = false;
  double width = 1.0;          // multiplies the 64/128/256/512 stage widths
};

// A residual block: a BasicBlock (ResNet-18/34) or a Bottleneck (ResNet-50+).
class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(bool bottleneck, int64_t in_channels, int64_t planes, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x, BNBranch branch);

  static constexpr int64_t expansion(bool bottleneck) { return bottleneck ? 4 : 1; }

 private:
  bool bottleneck_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  DualBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  // torchvision's `downsample` Sequential: "0" convolution, "1" BN.
  std::shared_ptr<torch::nn::Module> downsample_;
  torch::nn::Conv2d downsample_conv_{nullptr};
  DualBatchNorm2d downsample_bn_{nullptr};
};
TORCH_MODULE(ResidualBlock);

class ResNetImpl : public StagedNetworkImpl {
 public:
  explicit ResNetImpl(const ResNetOptions& options);

 private:
  torch::nn::Conv2d conv1{nullptr};
  DualBatchNorm2d bn1{nullptr};
  torch::nn::Linear fc{nullptr};
};

}  // namespace advbn
