#include "advbn/models/deeplabv3.h"

#include <torch/torch.h>

#include <cmath>

#include "advbn/error.h"
#include "advbn/models/conv_batch_norm.h"

namespace advbn {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

constexpr int64_t kAtrousRates[] = {12, 24, 36};

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t dilation = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).padding(kernel / 2 * dilation).dilation(dilation).bias(false));
}

}  // namespace

DeepLabV3Impl::DeepLabV3Impl(const SegmenterOptions& options)
    : ResNetImpl(segmentation_backbone(options, "deeplabv3_resnet" + std::to_string(options.depth))) {
  if (options.num_classes < 1) throw Error("num_classes must be >= 1");
  const int64_t in = out_channels();
  const int64_t channels = std::max<int64_t>(1, std::lround(256 * options.width));  // 256 at torchvision's width
  // torchvision's DeepLabHead is a Sequential: 0 ASPP, 1 conv, 2 BN, 3 ReLU, 4 conv. ASPP holds
  // convs.{0–4} (each a Sequential: conv "0" and BN "1", or for the pooled branch "1" and "2")
  // and project (conv "0", BN "1").
  auto classifier = register_module("classifier", std::make_shared<nn::Module>("Sequential"));
  auto aspp = classifier->register_module("0", std::make_shared<nn::Module>("ASPP"));
  auto convs = aspp->register_module("convs", nn::ModuleList());
  for (size_t b = 0; b < branch_convs_.size(); ++b) {
    auto branch = std::make_shared<nn::Module>("Sequential");
    const bool pooled = b == 4;
    const int64_t dilation = b >= 1 && b <= 3 ? kAtrousRates[b - 1] : 1;
    branch_convs_[b] = branch->register_module(pooled ? "1" : "0", conv(in, channels, b >= 1 && b <= 3 ? 3 : 1, dilation));
    branch_bns_[b] = branch->register_module(pooled ? "2" : "1", DualBatchNorm2d(channels));
    convs->push_back(branch);
  }
  auto project = aspp->register_module("project", std::make_shared<nn::Module>("Sequential"));
  project_conv_ = project->register_module("0", conv(5 * channels, channels, 1));
  project_bn_ = project->register_module("1", DualBatchNorm2d(channels));
  head_conv_ = classifier->register_module("1", conv(channels, channels, 3));
  head_bn_ = classifier->register_module("2", DualBatchNorm2d(channels));
  classes_conv_ = classifier->register_module("4", nn::Conv2d(nn::Conv2dOptions(channels, options.num_classes, 1)));
  add_block({"classifier", {classifier}, [this](const torch::Tensor& x, BNBranch branch) { return head(x, branch); },
             /*post_relu=*/false});
  copy_main_to_twins();
}

torch::Tensor DeepLabV3Impl::head(const torch::Tensor& x, BNBranch branch) {
  std::vector<torch::Tensor> branches;
  for (size_t b = 0; b < 4; ++b) {
    branches.push_back(torch::relu(conv_then_batch_norm(*branch_convs_[b], *branch_bns_[b], x, branch)));
  }
  const auto pooled =
      torch::relu(conv_then_batch_norm(*branch_convs_[4], *branch_bns_[4], torch::adaptive_avg_pool2d(x, {1, 1}), branch));
  branches.push_back(upsample_bilinear(pooled, x.size(-2), x.size(-1)));
  auto out = torch::relu(conv_then_batch_norm(*project_conv_, *project_bn_, torch::cat(branches, 1), branch));
  out = F::dropout(out, F::DropoutFuncOptions().p(0.5).training(is_training()));
  out = torch::relu(conv_then_batch_norm(*head_conv_, *head_bn_, out, branch));
  return classes_conv_->forward(out);
}

}  // namespace advbn
