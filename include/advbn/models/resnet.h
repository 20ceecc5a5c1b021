#pragma once
// ResNet-18/34/50/101/152 with torchvision's module names and shapes (v1.5: stride on the 3×3
// convolution of bottlenecks), so torchvision state dicts load unchanged. Options for small
// images: a 3×3 stride-1 stem without max-pool, and a width multiplier on every stage.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <array>
#include <string>

#include "advbn/models/staged_network.h"

namespace advbn {

struct ResNetOptions {
  int depth = 50;              // 18, 34, 50, 101 or 152
  int64_t num_classes = 1000;
  bool small_stem = false;
  double width = 1.0;          // multiplies the 64/128/256/512 stage widths
  // torchvision's replace_stride_with_dilation for layer2, layer3, layer4: the stage keeps its
  // input's resolution and dilates its 3×3 convolutions instead (segmentation backbones:
  // {false, true, true} gives output stride 8). BasicBlock ResNets (18, 34) dilate both their
  // 3×3 convolutions, which torchvision does not offer.
  std::array<bool, 3> dilate{false, false, false};
  bool head = true;            // false: no average pool + fc (a backbone); num_classes unused
  // Where the stem and stages are registered: on the network itself (""), or in a child module of
  // this name ("backbone", as torchvision's segmentation models hold theirs).
  std::string container;
  std::string arch;            // empty: "resnet<depth>"
};

// A residual block: a BasicBlock (ResNet-18/34) or a Bottleneck (ResNet-50+).
class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(bool bottleneck, int64_t in_channels, int64_t planes, int64_t stride, int64_t dilation = 1);
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

 protected:
  int64_t out_channels() const { return out_channels_; }

 private:
  int64_t out_channels_ = 0;
  torch::nn::Conv2d conv1{nullptr};
  DualBatchNorm2d bn1{nullptr};
  torch::nn::Linear fc{nullptr};
};

}  // namespace advbn
