#include "advbn/models/resnet.h"

#include <torch/torch.h>

#include <cmath>

#include "advbn/error.h"
#include "advbn/models/conv_batch_norm.h"
#include "advbn/models/linear_as_convolution.h"

namespace advbn {

namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                        .stride(stride)
                        .padding(kernel / 2 * dilation)
                        .dilation(dilation)
                        .bias(false));
}

struct StageLayout {
  bool bottleneck;
  std::array<int, 4> blocks;
};

StageLayout layout_for_depth(int depth) {
  switch (depth) {
    case 18: return {false, {2, 2, 2, 2}};
    case 34: return {false, {3, 4, 6, 3}};
    case 50: return {true, {3, 4, 6, 3}};
    case 101: return {true, {3, 4, 23, 3}};
    case 152: return {true, {3, 8, 36, 3}};
    default:
      throw Error("unsupported ResNet depth " + std::to_string(depth) +
                  " (expected 18, 34, 50, 101 or 152)");
  }
}

// Paper aliases: conv{s}_{i} is block i of stage s, i.e. layer{s-1}.{i-1}; conv1 is the stem.
std::map<std::string, std::string> paper_aliases(const StageLayout& layout) {
  std::map<std::string, std::string> aliases{{"conv1", "stem"}};
  for (int stage = 0; stage < 4; ++stage) {
    for (int i = 0; i < layout.blocks[stage]; ++i) {
      aliases["conv" + std::to_string(stage + 2) + "_" + std::to_string(i + 1)] =
          "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
    }
  }
  return aliases;
}

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(1, std::llround(channels * width));
}

void init_like_torchvision(nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2dImpl>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    }
  }
}

}  // namespace

ResidualBlockImpl::ResidualBlockImpl(bool bottleneck, int64_t in_channels, int64_t planes,
                                     int64_t stride, int64_t dilation)
    : bottleneck_(bottleneck) {
  const int64_t out_channels = planes * expansion(bottleneck);
  if (bottleneck) {
    conv1 = register_module("conv1", conv(in_channels, planes, 1, 1));
    bn1 = register_module("bn1", DualBatchNorm2d(planes));
    conv2 = register_module("conv2", conv(planes, planes, 3, stride, dilation));
    bn2 = register_module("bn2", DualBatchNorm2d(planes));
    conv3 = register_module("conv3", conv(planes, out_channels, 1, 1));
    bn3 = register_module("bn3", DualBatchNorm2d(out_channels));
  } else {
    // torchvision refuses dilated BasicBlocks; here both 3×3 convolutions take the stage's
    // dilation, so ResNet-18/34 segmenters keep output stride 8 as the bottleneck ones do.
    conv1 = register_module("conv1", conv(in_channels, planes, 3, stride, dilation));
    bn1 = register_module("bn1", DualBatchNorm2d(planes));
    conv2 = register_module("conv2", conv(planes, planes, 3, 1, dilation));
    bn2 = register_module("bn2", DualBatchNorm2d(planes));
  }
  if (stride != 1 || in_channels != out_channels) {
    downsample_ = register_module("downsample", std::make_shared<nn::Module>("Sequential"));
    downsample_conv_ = downsample_->register_module("0", conv(in_channels, out_channels, 1, stride));
    downsample_bn_ = downsample_->register_module("1", DualBatchNorm2d(out_channels));
  }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, BNBranch branch) {
  auto out = torch::relu(conv_then_batch_norm(*conv1, *bn1, x, branch));
  out = conv_then_batch_norm(*conv2, *bn2, out, branch);
  if (bottleneck_) out = conv_then_batch_norm(*conv3, *bn3, torch::relu(out), branch);
  const auto identity =
      downsample_ ? conv_then_batch_norm(*downsample_conv_, *downsample_bn_, x, branch) : x;
  return torch::relu(out + identity);
}

ResNetImpl::ResNetImpl(const ResNetOptions& options)
    : StagedNetworkImpl(options.arch.empty() ? "resnet" + std::to_string(options.depth) : options.arch,
                        paper_aliases(layout_for_depth(options.depth))) {
  const StageLayout layout = layout_for_depth(options.depth);
  if (options.head && options.num_classes < 1) throw Error("num_classes must be >= 1");
  if (!(options.width > 0)) throw Error("ResNet width multiplier must be > 0");

  nn::Module& parent =
      options.container.empty() ? *this : *register_module(options.container, std::make_shared<nn::Module>("ResNet"));
  int64_t channels = scaled(64, options.width);
  conv1 = parent.register_module(
      "conv1", options.small_stem ? conv(3, channels, 3, 1)
                                  : nn::Conv2d(nn::Conv2dOptions(3, channels, 7).stride(2).padding(3).bias(false)));
  bn1 = parent.register_module("bn1", DualBatchNorm2d(channels));
  const bool max_pool = !options.small_stem;
  add_block({"stem", {conv1.ptr(), bn1.ptr()}, [this, max_pool](const torch::Tensor& x, BNBranch branch) {
               auto out = torch::relu(conv_then_batch_norm(*conv1, *bn1, x, branch));
               return max_pool ? torch::max_pool2d(out, 3, 2, 1) : out;
             }});

  int64_t dilation = 1;  // as torchvision: a dilated stage's first block keeps the previous dilation
  for (int stage = 0; stage < 4; ++stage) {
    const std::string stage_name = "layer" + std::to_string(stage + 1);
    auto blocks = parent.register_module(stage_name, nn::ModuleList());
    const int64_t planes = scaled(64 << stage, options.width);
    const int64_t previous_dilation = dilation;
    int64_t first_stride = stage > 0 ? 2 : 1;
    if (stage > 0 && options.dilate[stage - 1]) {
      dilation *= first_stride;
      first_stride = 1;
    }
    for (int i = 0; i < layout.blocks[stage]; ++i) {
      auto block = ResidualBlock(layout.bottleneck, channels, planes, i == 0 ? first_stride : 1,
                                 i == 0 ? previous_dilation : dilation);
      blocks->push_back(block);
      channels = planes * ResidualBlockImpl::expansion(layout.bottleneck);
      add_block({stage_name + "." + std::to_string(i), {block.ptr()},
                 [block](const torch::Tensor& x, BNBranch branch) mutable {
                   return block->forward(x, branch);
                 }});
    }
  }

  out_channels_ = channels;
  if (options.head) {
    fc = register_module("fc", nn::Linear(channels, options.num_classes));
    add_block({"head", {fc.ptr()},
               [this](const torch::Tensor& x, BNBranch) {
                 return linear_as_convolution(*fc, torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
               },
               /*post_relu=*/false});
  }
  init_like_torchvision(*this);
  copy_main_to_twins();
}

}  // namespace advbn
