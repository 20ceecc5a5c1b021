#pragma once
// A fully connected layer evaluated as a 1×1 convolution on CPU. LibTorch sends a CPU linear
// layer to the system BLAS, and Debian's default libblas.so.3 is the unoptimised reference BLAS;
// convolutions run in oneDNN's JIT kernels instead. On the ResNet-50 head this made a fine-tuning
// step 16% and an AdvBN step 14% cheaper (docs/performance.md). Same mathematics, same
// parameters (the Linear's weight and bias, so state dicts are unchanged); elsewhere (CUDA) the
// plain linear layer runs.
#include <torch/nn/modules/linear.h>

namespace advbn {

// `x`: N×in_features; returns N×out_features, differentiable in x and in the layer's parameters.
torch::Tensor linear_as_convolution(torch::nn::LinearImpl& layer, const torch::Tensor& x);

}  // namespace advbn
