#include "advbn/models/conv_norm_activation.h"

#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/conv_batch_norm.h"

namespace advbn {

Conv2dNormActivationImpl::Conv2dNormActivationImpl(int64_t in_channels, int64_t out_channels,
                                                   int64_t kernel, Activation activation,
                                                   ConvShape shape)
    : activation_(activation) {
  if (shape.bias) throw Error("Conv2dNormActivation: the convolution before BN takes no bias");
  conv = register_module("0", padded_conv2d(in_channels, out_channels, kernel, shape));
  norm = register_module("1", DualBatchNorm2d(out_channels));
}

torch::Tensor Conv2dNormActivationImpl::forward(const torch::Tensor& x, BNBranch branch) {
  const auto out = conv_then_batch_norm(*conv, *norm, x, branch);
  return activation_ == Activation::SiLU ? torch::silu(out) : out;
}

}  // namespace advbn
