#include "advbn/models/efficientnet.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "advbn/error.h"
#include "advbn/models/stochastic_depth.h"
#include "advbn/models/torchvision_layers.h"

namespace advbn {

namespace {

namespace nn = torch::nn;

struct StageLayout {
  MBConvShape first;  // later MBConvs of a stage: stride 1, in_channels = out_channels
  int repeats;
};

// EfficientNet-B0 (width and depth multipliers 1: every channel count is already a multiple of 8,
// so torchvision's rounding leaves them unchanged).
const std::vector<StageLayout>& b0_stages() {
  static const std::vector<StageLayout> stages{{{1, 3, 1, 32, 16}, 1},  {{6, 3, 2, 16, 24}, 2},
                                               {{6, 5, 2, 24, 40}, 2},  {{6, 3, 2, 40, 80}, 3},
                                               {{6, 5, 1, 80, 112}, 3}, {{6, 5, 2, 112, 192}, 4},
                                               {{6, 3, 1, 192, 320}, 1}};
  return stages;
}
constexpr int64_t kStemChannels = 32;
constexpr int64_t kHeadChannels = 1280;  // 4 × the last stage's channels
// Squeeze-excitation's 1×1 convolutions are followed by no BN and keep their bias.
constexpr ConvShape kWithBias{/*stride=*/1, /*groups=*/1, /*bias=*/true};

// torchvision's EfficientNet initialisation (BN already starts at weight 1, bias 0).
void init_like_torchvision(nn::Module& network) {
  torch::NoGradGuard no_grad;
  for_each_module<nn::Conv2dImpl>(network, [](nn::Conv2dImpl& c) {
    nn::init::kaiming_normal_(c.weight, 0.0, torch::kFanOut);
    if (c.bias.defined()) nn::init::zeros_(c.bias);
  });
  for_each_module<nn::LinearImpl>(network, [](nn::LinearImpl& l) {
    const double range = 1.0 / std::sqrt(static_cast<double>(l.weight.size(0)));
    nn::init::uniform_(l.weight, -range, range);
    nn::init::zeros_(l.bias);
  });
}

}  // namespace

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels) {
  fc1 = register_module("fc1", padded_conv2d(channels, squeeze_channels, 1, kWithBias));
  fc2 = register_module("fc2", padded_conv2d(squeeze_channels, channels, 1, kWithBias));
}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor& x) {
  const auto pooled = torch::adaptive_avg_pool2d(x, {1, 1});
  return x * torch::sigmoid(fc2->forward(torch::silu(fc1->forward(pooled))));
}

MBConvImpl::MBConvImpl(const MBConvShape& shape, double stochastic_depth)
    : residual_(shape.stride == 1 && shape.in_channels == shape.out_channels),
      stochastic_depth_(stochastic_depth) {
  const int64_t expanded = shape.in_channels * shape.expand_ratio;
  // torchvision's `block` Sequential is numbered densely: without expansion the depthwise
  // convolution is "0".
  auto block = register_container(*this, "block");
  int index = 0;
  auto next = [&index] { return std::to_string(index++); };
  if (expanded != shape.in_channels) {
    expand = block->register_module(
        next(), Conv2dNormActivation(shape.in_channels, expanded, 1, Activation::SiLU));
  }
  depthwise = block->register_module(
      next(), Conv2dNormActivation(expanded, expanded, shape.kernel, Activation::SiLU,
                                   ConvShape{shape.stride, /*groups=*/expanded}));
  // The squeeze width follows the block's input, not its expanded width.
  squeeze_excitation = block->register_module(
      next(), SqueezeExcitation(expanded, std::max<int64_t>(1, shape.in_channels / 4)));
  project = block->register_module(
      next(), Conv2dNormActivation(expanded, shape.out_channels, 1, Activation::None));
}

torch::Tensor MBConvImpl::forward(const torch::Tensor& x, BNBranch branch) {
  auto out = expand ? expand->forward(x, branch) : x;
  out = depthwise->forward(out, branch);
  out = project->forward(squeeze_excitation->forward(out), branch);
  if (!residual_) return out;
  return stochastic_depth_rows(out, stochastic_depth_, is_training()) + x;
}

EfficientNetImpl::EfficientNetImpl(const std::string& arch, const EfficientNetOptions& options)
    : StagedNetworkImpl(arch, {}) {
  if (options.num_classes < 1) throw Error("num_classes must be >= 1");
  if (options.dropout < 0 || options.dropout >= 1)
    throw Error("EfficientNet dropout must lie in [0, 1)");
  auto features = register_container(*this, "features");

  stem = features->register_module(
      "0", Conv2dNormActivation(3, kStemChannels, 3, Activation::SiLU, ConvShape{/*stride=*/2}));
  add_block({"features.0",
             {stem.ptr()},
             [this](const torch::Tensor& x, BNBranch branch) { return stem->forward(x, branch); },
             /*post_relu=*/false});

  const auto& stages = b0_stages();
  int total_mbconvs = 0;
  for (const auto& stage : stages) total_mbconvs += stage.repeats;
  int mbconv_index = 0;
  for (size_t s = 0; s < stages.size(); ++s) {
    const std::string stage_name = std::to_string(s + 1);
    auto stage_container = register_container(*features, stage_name);
    MBConvShape shape = stages[s].first;
    for (int i = 0; i < stages[s].repeats; ++i) {
      // Deeper blocks are dropped more often: p grows linearly from 0 with the block's index.
      const double drop = options.stochastic_depth * mbconv_index++ / total_mbconvs;
      MBConv mbconv(shape, drop);
      stage_container->register_module(std::to_string(i), mbconv);
      add_block({"features." + stage_name + "." + std::to_string(i),
                 {mbconv.ptr()},
                 [mbconv](const torch::Tensor& x, BNBranch branch) mutable {
                   return mbconv->forward(x, branch);
                 },
                 /*post_relu=*/false});
      shape.in_channels = shape.out_channels;
      shape.stride = 1;
    }
  }

  const std::string head_conv_name = std::to_string(stages.size() + 1);
  head_conv = features->register_module(
      head_conv_name,
      Conv2dNormActivation(stages.back().first.out_channels, kHeadChannels, 1, Activation::SiLU));
  add_block(
      {"features." + head_conv_name,
       {head_conv.ptr()},
       [this](const torch::Tensor& x, BNBranch branch) { return head_conv->forward(x, branch); },
       /*post_relu=*/false});

  // torchvision's classifier Sequential: "0" dropout (no parameters), "1" linear.
  auto classifier_container = register_container(*this, "classifier");
  classifier =
      classifier_container->register_module("1", nn::Linear(kHeadChannels, options.num_classes));
  const double dropout = options.dropout;
  add_block({"head",
             {classifier_container},
             [this, dropout](const torch::Tensor& x, BNBranch) {
               const auto pooled = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
               return classifier->forward(
                   torch::dropout(pooled, dropout, classifier->is_training()));
             },
             /*post_relu=*/false});
  init_like_torchvision(*this);
  copy_main_to_twins();
}

}  // namespace advbn
