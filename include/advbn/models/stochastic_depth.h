#pragma once
// Stochastic depth in torchvision's "row" mode (Huang et al. 2016): while training, each sample's
// residual branch is dropped with probability p and the survivors are scaled by 1 / (1 − p), so
// that the expected output is unchanged; outside training it is the identity.
#include <torch/types.h>

namespace advbn {

torch::Tensor stochastic_depth_rows(const torch::Tensor& residual, double drop_probability,
                                    bool training);

}  // namespace advbn
