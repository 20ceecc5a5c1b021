#include "advbn/models/fcn.h"

#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/conv_batch_norm.h"

namespace advbn {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

FCNImpl::FCNImpl(const SegmenterOptions& options)
    : ResNetImpl(segmentation_backbone(options, "fcn_resnet" + std::to_string(options.depth))) {
  const int64_t num_classes = options.num_classes;
  if (num_classes < 1) throw Error("num_classes must be >= 1");
  // torchvision's FCNHead is a Sequential: 0 conv, 1 BN, 2 ReLU, 3 Dropout, 4 conv.
  auto head = register_module("classifier", std::make_shared<nn::Module>("Sequential"));
  const int64_t head_channels = out_channels() / 4;  // torchvision's FCNHead: in_channels // 4
  head_conv_ = head->register_module(
      "0", nn::Conv2d(nn::Conv2dOptions(out_channels(), head_channels, 3).padding(1).bias(false)));
  head_bn_ = head->register_module("1", DualBatchNorm2d(head_channels));
  classes_conv_ = head->register_module("4", nn::Conv2d(nn::Conv2dOptions(head_channels, num_classes, 1)));
  add_block({"classifier", {head},
             [this](const torch::Tensor& x, BNBranch branch) {
               const auto hidden = torch::relu(conv_then_batch_norm(*head_conv_, *head_bn_, x, branch));
               return classes_conv_->forward(F::dropout(hidden, F::DropoutFuncOptions().p(0.1).training(is_training())));
             },
             /*post_relu=*/false});
  copy_main_to_twins();
}

}  // namespace advbn
