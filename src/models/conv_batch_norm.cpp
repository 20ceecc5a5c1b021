#include "advbn/models/conv_batch_norm.h"

#include <c10/util/variant.h>
#include <torch/torch.h>

namespace advbn {

namespace {

bool convolution_needs_gradients(const torch::nn::Conv2dImpl& conv) {
  return torch::GradMode::is_enabled() &&
         (conv.weight.requires_grad() || (conv.bias.defined() && conv.bias.requires_grad()));
}

}  // namespace

torch::Tensor conv_then_batch_norm(torch::nn::Conv2dImpl& conv, DualBatchNorm2dImpl& bn,
                                   const torch::Tensor& x, BNBranch branch) {
  const bool zero_padding = c10::holds_alternative<torch::enumtype::kZeros>(conv.options.padding_mode());
  const auto affine = zero_padding && !convolution_needs_gradients(conv)
                          ? bn.frozen_affine_map(x, branch)
                          : std::nullopt;
  if (!affine) return bn.forward(conv.forward(x), branch);
  torch::Tensor weight, bias;
  {
    torch::NoGradGuard no_grad;
    weight = conv.weight * affine->scale.view({-1, 1, 1, 1});
    bias = conv.bias.defined() ? torch::addcmul(affine->shift, conv.bias, affine->scale) : affine->shift;
  }
  namespace F = torch::nn::functional;
  return F::conv2d(x, weight,
                   F::Conv2dFuncOptions()
                       .bias(bias)
                       .stride(conv.options.stride())
                       .padding(conv.options.padding())
                       .dilation(conv.options.dilation())
                       .groups(conv.options.groups()));
}

}  // namespace advbn
