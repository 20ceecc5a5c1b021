#pragma once
// A convolution followed by a DualBatchNorm2d, with the BN folded into the convolution where it
// is a frozen affine map (eval mode, no parameter gradients wanted): one pass over the
// activations instead of two. The folded weights are computed per call, so the module's own
// weights, and checkpoints, stay as they are.
#include <torch/nn/modules/conv.h>

#include "advbn/core/dual_batch_norm.h"

namespace advbn {

torch::Tensor conv_then_batch_norm(torch::nn::Conv2dImpl& conv, DualBatchNorm2dImpl& bn,
                                   const torch::Tensor& x, BNBranch branch);

}  // namespace advbn
