#include "advbn/models/conv_batch_norm.h"

#include <ATen/autocast_mode.h>
#include <c10/util/variant.h>
#include <torch/torch.h>

namespace advbn {

namespace {

bool convolution_needs_gradients(const torch::nn::Conv2dImpl& conv) {
  return torch::GradMode::is_enabled() &&
         (conv.weight.requires_grad() || (conv.bias.defined() && conv.bias.requires_grad()));
}

// Under autocast the convolution's output, which is what the BN receives, is in the autocast type
// (bfloat16) whatever x is; the BN then runs unfolded (frozen_affine_map refuses an input whose
// type is not its parameters'), so the fused path must not be taken either.
bool autocast_active(const torch::Tensor& x) {
  return x.is_cuda() ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}

}  // namespace

torch::Tensor conv_then_batch_norm(torch::nn::Conv2dImpl& conv, DualBatchNorm2dImpl& bn,
                                   const torch::Tensor& x, BNBranch branch) {
  const bool zero_padding = c10::holds_alternative<torch::enumtype::kZeros>(conv.options.padding_mode());
  const auto affine = zero_padding && !convolution_needs_gradients(conv) && !autocast_active(x)
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
